"""The intake dialog: (conversation, event) → (conversation, replies, commands).

Pure: no I/O, no clock (``now`` is passed in). The engine calls :func:`step` for an
inbound event, carries out the returned commands in order and calls
:func:`apply_result` for each command's result to get the replies that depend on it.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from dialogs import case_reply, open_requests
from dialogs.answers import answer_step, invalid
from dialogs.case_entries import drop_request, open_reply_window
from dialogs.command_results import CommandResult, ComplaintList, Done
from dialogs.commands import (
    DATA_COMMANDS,
    Command,
    FileComplaint,
    ListComplaints,
    MarkUnsubscribed,
    NoteInteraction,
    RateComplaint,
    RecordEvidence,
    RecordNoticeConsent,
    SendCaseMessage,
    SendDossier,
    ShowComplaint,
    WithdrawComplaint,
)
from dialogs.conversation import Conversation, StepResult
from dialogs.data_rights import confirm_delete, data_result, data_word, pick_consent
from dialogs.dossier import dossier_result
from dialogs.events import (
    ChoicePressed,
    InboundEvent,
    MediaMessage,
    MenuClicked,
    NoticeConsent,
    Subscribed,
    TextMessage,
    Unsubscribed,
    Unsupported,
)
from dialogs.flow import load_flow
from dialogs.keywords import MENU_ALIASES, global_word
from dialogs.linking import LINK_COMMANDS, confirm_link, link_result, link_word
from dialogs.machine import State, fire
from dialogs.my_complaints import (
    COMMENT_MAX_LENGTH,
    act_on_detail,
    add_evidence,
    confirm_withdraw,
    pick_from_list,
    rate,
    show_list,
)
from dialogs.navigation import (
    CASE_STATES,
    DRAFT_STATES,
    KNOWN_STATES,
    STEP_STATES,
    global_action,
    menu_item,
    park_draft,
    show_menu,
)
from dialogs.offers import OFFER_COMMANDS, answer_in_state, answered, merchant_word
from dialogs.open_requests import drop as drop_open_request
from dialogs.options import DialogOptions
from dialogs.questions import ask, choices_for
from dialogs.results import complaint_result, evidence_result, filed
from dialogs.summary import answer_confirm, answer_gate, answer_small_question
from dialogs.turn import Turn
from dialogs.validators import match_choice, normalize

FLOW_TYPES = frozenset(load_flow().types)

__all__ = [
    "DialogOptions", "apply_result", "drop_request", "enter_add_evidence", "enter_rating",
    "open_reply_window", "step",
]


def step(
    conv: Conversation, event: InboundEvent, *, now: datetime, options: DialogOptions
) -> StepResult:
    """Answer one inbound event.

    Args:
        conv: the stored conversation (``updated_at`` None for a new consumer).
        event: what the consumer sent.
        now: the current time (UTC).
        options: deployment options.

    Returns:
        The new conversation, the replies in order and the commands for the engine.
    """
    turn = Turn.begin(conv, now=now, options=options, event=event)
    if turn.state not in KNOWN_STATES or (
        turn.state in DRAFT_STATES and turn.answers.get("type") not in FLOW_TYPES
    ):
        # A state from an older flow.yaml, or a draft without a type: start from the menu.
        turn.state = State.MENU
    if isinstance(event, Unsubscribed):
        turn.commands.append(MarkUnsubscribed())
        return turn.result()
    if isinstance(event, NoticeConsent):
        # Recorded for later; the consumer tapped a system dialog and expects no answer.
        turn.commands.append(RecordNoticeConsent(event.consents))
        return turn.result()
    if isinstance(event, Subscribed | MenuClicked):
        turn.commands.append(NoteInteraction())
    event = _voice_as_text(turn.state, event)
    if isinstance(event, TextMessage) and link_word(turn, event.text):
        # Before the "welcome back" question: linking leaves a draft where it is.
        return turn.result()
    if isinstance(event, TextMessage) and data_word(turn, event.text):
        # Data rights work in every state, and leave a draft where it is too.
        return turn.result()
    if _away_too_long(conv, turn):
        fire(turn, "welcome_back")
        ask(turn)
        return turn.result()
    _dispatch(turn, event)
    return turn.result()


def _as_text(event: InboundEvent, text: str, *, from_voice: bool = False) -> TextMessage:
    """The same delivery read as typed text (a pressed button, a transcribed voice)."""
    return TextMessage(
        platform=event.platform,
        user_id=event.user_id,
        message_id=event.message_id,
        received_at=event.received_at,
        language_hint=event.language_hint,
        text=text,
        from_voice=from_voice,
    )


def _voice_as_text(state: str, event: InboundEvent) -> InboundEvent:
    """A voice message the platform transcribed is evidence only where files are asked for.

    Everywhere else its recognised text is the answer. Deciding here, on the state read
    under the conversation lock, means a voice sent while the previous message is still
    moving the dialog is never classed by a stale state.
    """
    if (
        isinstance(event, MediaMessage)
        and event.recognised_text
        and state not in (State.ADDING_EVIDENCE, "evidence")
    ):
        return _as_text(event, event.recognised_text, from_voice=True)
    return event


def _away_too_long(conv: Conversation, turn: Turn) -> bool:
    if conv.updated_at is None or turn.state not in DRAFT_STATES | {State.CANCEL_CONFIRM}:
        return False
    if turn.answers.get("type") is None:
        return False
    try:
        away = turn.now - conv.updated_at
    except TypeError:  # naive vs aware: treat as not away rather than crash
        return False
    return away > timedelta(hours=turn.options.draft_resume_hours)


def _dispatch(turn: Turn, event: InboundEvent) -> None:
    if isinstance(event, Subscribed):
        if turn.state not in (State.START, State.MENU):
            # A code scanned (or the account followed again) in the middle of something:
            # the consumer is still answering, so ask the pending question again.
            if not event.again:
                turn.say("welcome")
            ask(turn)
            return
        turn.say("welcome")
        show_menu(turn)
        return
    if isinstance(event, MenuClicked):
        menu_item(turn, {"complain": "complaint"}.get(event.key, event.key))
        return
    if isinstance(event, Unsupported):
        turn.say("error.unsupported")
        ask(turn)
        return
    if merchant_word(turn, event):
        # Before the stale-button check: an offer's buttons stay good until it is answered.
        return
    pressed = isinstance(event, ChoicePressed)
    if isinstance(event, ChoicePressed):
        if event.step and event.step != turn.state:
            turn.say("error.stale_step")
            ask(turn)
            return
        event = _as_text(event, event.choice_id)
    if isinstance(event, TextMessage):
        action = global_word(event.text)
        if action is not None and global_action(turn, action):
            return
    _in_state(turn, event, pressed=pressed)


def _in_state(turn: Turn, event: InboundEvent, *, pressed: bool = False) -> None:
    # A pressed button is never a message to the handler, even one that matches nothing.
    if pressed or not case_reply.may_catch(turn, event):
        _answer_state(turn, event)
        return
    # A reply window (or an open evidence request) is waiting: the state answers first,
    # and only what it rejects goes to the case, so an expected answer stays an answer.
    before = copy.deepcopy(turn)
    _answer_state(turn, event)
    if turn.rejected and case_reply.catch(before, event):
        vars(turn).update(vars(before))


def _answer_state(turn: Turn, event: InboundEvent) -> None:
    state = turn.state
    text = event.text if isinstance(event, TextMessage) else None
    if state in STEP_STATES:
        answer_step(turn, event)
        return
    handled = False
    if state in (State.START, State.MENU):
        if text is not None:
            ident = match_choice(text, choices_for(turn)) or MENU_ALIASES.get(normalize(text))
            if ident is not None:
                menu_item(turn, ident)
                return
        if state == State.START:
            turn.say("greeting")
            show_menu(turn)
            return
    elif state == State.CONFIRM and text is not None:
        handled = answer_confirm(turn, text)
    elif state == State.EDIT_PICK and text is not None:
        ident = match_choice(text, choices_for(turn))
        if ident is not None:
            fire(turn, "edit", step=ident)
            ask(turn)
            handled = True
    elif state in (State.CANCEL_CONFIRM, State.RESUME, State.LANGUAGE) and text is not None:
        handled = answer_small_question(turn, text)
    elif state in (State.TIME_LIMIT, State.ELSEWHERE_REFUSED) and text is not None:
        handled = answer_gate(turn, text)
    elif state == State.MY_LIST:
        handled = pick_from_list(turn, event)
    elif state == State.MY_DETAIL:
        handled = act_on_detail(turn, event)
    elif state == State.CONFIRM_WITHDRAW:
        handled = confirm_withdraw(turn, event)
    elif state == State.ADDING_EVIDENCE:
        handled = add_evidence(turn, event)
    elif state in (State.RATING, State.RATING_COMMENT):
        handled = rate(turn, event)
    elif state == State.LINK_CONFIRM:
        handled = confirm_link(turn, event)
    elif state == State.REPLYING:
        handled = case_reply.in_reply(turn, event)
    elif state == State.DELETE_CONFIRM:
        handled = confirm_delete(turn, event)
    elif state == State.CONSENT_PICK:
        handled = pick_consent(turn, event)
    elif state in (State.OFFER, State.MERCHANT_CONSENT):
        handled = answer_in_state(turn, event)
    if not handled:
        error = _error_for(turn, event)
        invalid(turn, error, max=COMMENT_MAX_LENGTH)


def _error_for(turn: Turn, event: InboundEvent) -> str:
    if isinstance(event, MediaMessage):
        return "unexpected_media"
    if not isinstance(event, TextMessage):
        return {
            "LocationMessage": "unexpected_location",
            "ContactShared": "unexpected_contact",
        }.get(type(event).__name__, "unsupported")
    if turn.state == State.ADDING_EVIDENCE:
        return "evidence_text"
    if turn.state == State.RATING:
        return "bad_choice"
    if turn.state == State.RATING_COMMENT:
        return "too_long"
    return "bad_choice"


def apply_result(
    conv: Conversation,
    command: Command,
    result: CommandResult,
    *,
    now: datetime,
    options: DialogOptions,
) -> StepResult:
    """Turn a command's result into replies (and maybe a new state).

    Args:
        conv: the conversation as returned by the previous step or apply_result.
        command: the command the engine carried out.
        result: what storage answered.
        now: the current time (UTC).
        options: deployment options.

    Returns:
        The conversation, replies and (no) further commands.
    """
    turn = Turn.begin(conv, now=now, options=options)
    if isinstance(command, FileComplaint):
        filed(turn, result)
    elif isinstance(command, RecordEvidence):
        number = command.complaint_number
        if number is not None and isinstance(result, Done):
            # storage answered the case's evidence requests with this file
            drop_open_request(turn, "evidence", number)
            if turn.state != State.ADDING_EVIDENCE:
                case_reply.evidence_added(turn, command, result)
                return turn.result()
        evidence_result(turn, command, result)
    elif isinstance(command, SendCaseMessage):
        case_reply.sent(turn, command, result)
        park_draft(turn)
        show_menu(turn)
    elif isinstance(command, ListComplaints) and isinstance(result, ComplaintList):
        show_list(turn, result)
    elif isinstance(command, ShowComplaint | WithdrawComplaint | RateComplaint):
        if isinstance(result, Done) and not isinstance(command, ShowComplaint):
            # rated: the rating request is answered; withdrawn: no evidence is needed
            kind = "rating" if isinstance(command, RateComplaint) else "evidence"
            drop_open_request(turn, kind, command.number)
        complaint_result(turn, command, result)
    elif isinstance(command, LINK_COMMANDS):
        link_result(turn, command, result)
    elif isinstance(command, DATA_COMMANDS):
        data_result(turn, command, result)
    elif isinstance(command, OFFER_COMMANDS):
        answered(turn, command, result)
    elif isinstance(command, SendDossier):
        dossier_result(turn, command, result)
    return turn.result()


def _enter(
    conv: Conversation,
    number: str,
    state: State,
    now: datetime,
    options: DialogOptions,
    note: str | None = None,
) -> StepResult:
    turn = Turn.begin(conv, now=now, options=options)
    back_to = turn.state if turn.state in KNOWN_STATES else State.MENU.value
    if back_to in CASE_STATES | {State.START.value}:
        back_to = State.MENU.value
    turn.answers["return_to"] = back_to
    turn.answers["viewing"] = {"number": number, "can_add_evidence": True}
    turn.state = state
    if state == State.RATING:
        open_requests.add(turn, "rating", number)
        turn.say("rating.ask_after", number=number)
    else:
        open_requests.add(turn, "evidence", number, note)
    ask(turn)
    return turn.result()


def enter_add_evidence(
    conv: Conversation,
    number: str,
    *,
    now: datetime,
    options: DialogOptions,
    note: str | None = None,
) -> StepResult:
    """Staff asked for more evidence: collect files for complaint ``number``.

    Media sent next become ``RecordEvidence(media, number)``; "done" returns the
    consumer to where they were (a draft in progress is kept). The request is
    remembered (``note``: what staff asked for) until a file arrives, wherever the
    consumer goes meanwhile.
    """
    return _enter(conv, number, State.ADDING_EVIDENCE, now, options, note)


def enter_rating(
    conv: Conversation, number: str, *, now: datetime, options: DialogOptions
) -> StepResult:
    """A complaint was resolved or closed: ask the consumer to rate it from 1 to 5."""
    return _enter(conv, number, State.RATING, now, options)
