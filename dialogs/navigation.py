"""Moves that work from any state: help, back, cancel, restart, menu, language.

These are the words a consumer may send at every step (both languages, see
dialogs/keywords.py); each helper leaves the turn in its new state with the question of
that state appended.
"""

from __future__ import annotations

from dialogs import case_reply
from dialogs.commands import DiscardDraftEvidence, ShowComplaint
from dialogs.data_rights import DATA_STATES, leave_data
from dialogs.dossier import request_dossier
from dialogs.flow import load_flow
from dialogs.linking import leave_link
from dialogs.machine import State, applicable_steps, fire, has_draft
from dialogs.my_complaints import leave, list_complaints
from dialogs.open_requests import remind
from dialogs.questions import ask, help_text
from dialogs.replies import Reply
from dialogs.turn import Turn
from dialogs.vocabulary import Language, supported

FLOW = load_flow()
STEP_STATES = frozenset(FLOW.all_steps)
#: States in which a draft is being filled in (cancel asks first; resume applies).
DRAFT_STATES = STEP_STATES | {
    State.CONFIRM.value, State.EDIT_PICK.value, State.TIME_LIMIT.value,
    State.ELSEWHERE_REFUSED.value,
}
KNOWN_STATES = DRAFT_STATES | {s.value for s in State}
#: States about one case that a greeting does not leave: a request being answered
#: survives the consumer's "hi".
CASE_STATES = frozenset({
    State.ADDING_EVIDENCE.value, State.RATING.value, State.RATING_COMMENT.value,
    State.REPLYING.value,
})


def global_action(turn: Turn, action: str) -> bool:
    """Carry out a word that works in every state; False lets the state handle it."""
    state = turn.state
    if action == "help":
        turn.replies.append(Reply(help_text(turn)))
        ask(turn)
    elif action == "back":
        back(turn)
    elif action == "cancel":
        if state in DRAFT_STATES:
            fire(turn, "cancel")
            ask(turn)
        elif state == State.CANCEL_CONFIRM:
            ask(turn)
        elif state == State.LINK_CONFIRM:
            turn.say("link.declined")
            leave_link(turn)
        elif state in DATA_STATES:
            turn.say("data.delete_declined" if state == State.DELETE_CONFIRM else "data.left")
            leave_data(turn)
        else:
            if state in (State.START, State.MENU):
                turn.say("error.nothing_to_cancel")
            show_menu(turn)
    elif action == "restart":
        type_id = turn.answers.get("type") if state in DRAFT_STATES | {State.RESUME} else None
        if state == State.RESUME and turn.answers.get("resume_new"):
            type_id = turn.answers.get("resume_new")
        turn.say("restarted")
        if type_id in FLOW.types:
            start_draft(turn, str(type_id))
        else:
            discard(turn)
            show_menu(turn)
    elif action == "new":
        new_draft(turn, "complaint")
    elif action == "my_complaints":
        park_draft(turn)
        list_complaints(turn)
    elif action == "language":
        if state != State.LANGUAGE:
            turn.answers["lang_return"] = state
        turn.state = State.LANGUAGE
        ask(turn)
    elif action in ("lang_zh", "lang_en"):
        switch_language(turn, Language.ZH_CN if action == "lang_zh" else Language.EN)
    elif action == "menu":
        park_draft(turn)
        show_menu(turn)
    elif action == "dossier":
        request_dossier(turn)
    elif action == "greeting":
        turn.say("greeting")
        if state in DRAFT_STATES or state in CASE_STATES:
            remind(turn)
            ask(turn)
        else:
            show_menu(turn)
    elif action == "reply":
        park_draft(turn)
        if not case_reply.reply_word(turn):
            turn.say("case.pick")
            list_complaints(turn)
    else:
        return False
    return True


def back(turn: Turn) -> None:
    """Go one step back; answers already given are kept."""
    state = turn.state
    viewing = turn.answers.get("viewing") or {}
    if state in DRAFT_STATES or state == State.CANCEL_CONFIRM:
        fire(turn, "back")
        if turn.state == State.MENU:
            show_menu(turn)
            return
    elif state == State.LANGUAGE:
        turn.state = str(turn.answers.pop("lang_return", State.MENU.value))
    elif state == State.LINK_CONFIRM:
        turn.say("link.declined")
        leave_link(turn)
        return
    elif state in DATA_STATES:
        leave_data(turn)
        return
    elif state == State.MY_DETAIL:
        list_complaints(turn)
        return
    elif state in (State.CONFIRM_WITHDRAW, State.RATING_COMMENT, State.REPLYING):
        turn.commands.append(ShowComplaint(str(viewing.get("number", ""))))
        turn.state = State.MY_DETAIL
        return
    elif state in (State.ADDING_EVIDENCE, State.RATING):
        leave(turn)
        return
    elif state != State.RESUME:
        show_menu(turn)
        return
    ask(turn)


def show_menu(turn: Turn) -> None:
    """Go to the main menu and show it (a draft stays in answers until replaced).

    Open requests are recalled first: the menu is where a returning consumer lands.
    """
    turn.state = State.MENU
    remind(turn)
    ask(turn)


def menu_item(turn: Turn, item: str) -> None:
    """Carry out a main-menu item: a request type, my complaints, help or language."""
    if item in FLOW.types:
        new_draft(turn, item)
    elif item == "my_complaints":
        park_draft(turn)
        list_complaints(turn)
    elif item == "help":
        turn.replies.append(Reply(help_text(turn)))
        ask(turn)
    elif item == "language":
        turn.answers["lang_return"] = State.MENU.value
        turn.state = State.LANGUAGE
        ask(turn)
    else:
        show_menu(turn)


def discard(turn: Turn) -> None:
    """Forget the draft; evidence already stored for it is discarded by the engine."""
    if turn.answers.get("type") is not None:
        turn.commands.append(DiscardDraftEvidence())
    turn.clear_draft()


def park_draft(turn: Turn) -> None:
    """Leaving a draft for another screen: remember its question to come back to."""
    if turn.state in DRAFT_STATES and has_draft(turn.answers):
        turn.answers["resume_state"] = turn.state


def _resume_state(turn: Turn) -> str:
    """Where a draft continues: its parked question, else its first unanswered one."""
    steps = applicable_steps(turn.answers)
    for candidate in (turn.state, turn.answers.get("resume_state")):
        if candidate in (State.CONFIRM, State.EDIT_PICK) or candidate in steps:
            return str(candidate)
    done = set(turn.answers.get("done_steps") or ())
    return next((s for s in steps if s not in done), State.CONFIRM.value)


def new_draft(turn: Turn, type_id: str) -> None:
    """Start a ``type_id`` request, first asking whether to continue an unfinished draft.

    A draft left for "my complaints" or the menu stays in the answers; a new request
    would replace it, so the consumer chooses: continue it or discard it.
    """
    if not has_draft(turn.answers):
        start_draft(turn, type_id)
        return
    turn.answers["resume_state"] = _resume_state(turn)
    turn.answers["resume_new"] = type_id
    fire(turn, "request")
    ask(turn)


def start_draft(turn: Turn, type_id: str) -> None:
    """Start a fresh draft of ``type_id`` (discarding any other) and ask its first step."""
    discard(turn)
    turn.answers.update(type=type_id, draft={}, done_steps=[], editing=False, evidence_count=0)
    fire(turn, "request")
    ask(turn)


def switch_language(turn: Turn, language: str) -> None:
    """Answer in ``language`` from now on and re-ask the pending question in it."""
    turn.language = supported(language) or turn.language
    turn.language_chosen = True
    turn.say("language_switched")
    if turn.state == State.LANGUAGE:
        turn.state = str(turn.answers.pop("lang_return", State.MENU.value))
        if turn.state == State.LANGUAGE:
            turn.state = State.MENU
    ask(turn)
