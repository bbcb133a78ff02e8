"""The intake dialog: (conversation, event) → (conversation, replies, commands).

Pure: no I/O, no clock (``now`` is passed in). The engine calls :func:`step` for an
inbound event, carries out the returned commands in order and calls
:func:`apply_result` for each command's result to get the replies that depend on it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dialogs.answers import answer_step, invalid
from dialogs.events import (
    ChoicePressed,
    Command,
    CommandResult,
    ComplaintDetail,
    ComplaintList,
    Conversation,
    DiscardDraftEvidence,
    Done,
    FileComplaint,
    Filed,
    InboundEvent,
    ListComplaints,
    MarkUnsubscribed,
    MediaMessage,
    MenuClicked,
    RateComplaint,
    RecordEvidence,
    Refused,
    Reply,
    ShowComplaint,
    StepResult,
    Subscribed,
    TextMessage,
    Unsubscribed,
    Unsupported,
    WithdrawComplaint,
)
from dialogs.flow import load_flow
from dialogs.keywords import MENU_ALIASES, global_word, is_no, is_yes
from dialogs.machine import State, applicable_steps, move
from dialogs.my_complaints import (
    act_on_detail,
    add_evidence,
    confirm_withdraw,
    leave,
    list_complaints,
    pick_from_list,
    rate,
    show_detail,
    show_list,
)
from dialogs.options import DialogOptions
from dialogs.questions import ask, choices_for, help_text, question
from dialogs.texts import format_date, type_label
from dialogs.turn import Turn
from dialogs.validators import match_choice, normalize

__all__ = ["DialogOptions", "apply_result", "enter_add_evidence", "enter_rating", "step"]

FLOW = load_flow()
STEP_STATES = frozenset(FLOW.all_steps)
#: States in which a draft is being filled in (cancel asks first; resume applies).
DRAFT_STATES = STEP_STATES | {State.CONFIRM.value, State.EDIT_PICK.value}
KNOWN_STATES = DRAFT_STATES | {s.value for s in State}
_EDIT = re.compile(r"^(?:edit|change|修改|改|更改)\s*(?:第)?\s*(\d{1,2})\s*(?:项)?$")


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
    if turn.state not in KNOWN_STATES:
        turn.state = State.MENU
    if isinstance(event, Unsubscribed):
        turn.commands.append(MarkUnsubscribed())
        return turn.result()
    if _away_too_long(conv, turn):
        turn.answers["resume_state"] = turn.state
        turn.state = State.RESUME
        ask(turn)
        return turn.result()
    _dispatch(turn, event)
    return turn.result()


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
        turn.say("welcome")
        _menu(turn)
        return
    if isinstance(event, MenuClicked):
        _menu_item(turn, {"complain": "complaint"}.get(event.key, event.key))
        return
    if isinstance(event, Unsupported):
        turn.say("error.unsupported")
        ask(turn)
        return
    if isinstance(event, ChoicePressed):
        if event.step and event.step != turn.state:
            turn.say("error.stale_step")
            ask(turn)
            return
        event = TextMessage(
            platform=event.platform, user_id=event.user_id, message_id=event.message_id,
            received_at=event.received_at, language_hint=event.language_hint,
            text=event.choice_id,
        )
    if isinstance(event, TextMessage):
        action = global_word(event.text)
        if action is not None and _global(turn, action):
            return
    _in_state(turn, event)


def _global(turn: Turn, action: str) -> bool:
    """Carry out a word that works in every state; False lets the state handle it."""
    state = turn.state
    if action == "help":
        turn.replies.append(Reply(help_text(turn)))
        ask(turn)
    elif action == "back":
        _back(turn)
    elif action == "cancel":
        if state in DRAFT_STATES:
            turn.answers["cancel_return"] = state
            turn.state = State.CANCEL_CONFIRM
            ask(turn)
        elif state == State.CANCEL_CONFIRM:
            ask(turn)
        else:
            if state in (State.START, State.MENU):
                turn.say("error.nothing_to_cancel")
            _menu(turn)
    elif action == "restart":
        type_id = turn.answers.get("type") if state in DRAFT_STATES | {State.RESUME} else None
        turn.say("restarted")
        if type_id in FLOW.types:
            _start_draft(turn, str(type_id))
        else:
            _discard(turn)
            _menu(turn)
    elif action == "new":
        _start_draft(turn, "complaint")
    elif action == "my_complaints":
        list_complaints(turn)
    elif action == "language":
        if state != State.LANGUAGE:
            turn.answers["lang_return"] = state
        turn.state = State.LANGUAGE
        ask(turn)
    elif action in ("lang_zh", "lang_en"):
        _switch_language(turn, "zh-CN" if action == "lang_zh" else "en")
    elif action == "menu":
        _menu(turn)
    elif action == "greeting":
        if state in (State.START, State.MENU) or state not in DRAFT_STATES:
            turn.say("greeting")
            _menu(turn)
        else:
            turn.say("greeting")
            ask(turn)
    else:
        return False
    return True


def _in_state(turn: Turn, event: InboundEvent) -> None:
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
                _menu_item(turn, ident)
                return
        if state == State.START:
            turn.say("greeting")
            _menu(turn)
            return
    elif state == State.CONFIRM and text is not None:
        handled = _confirm(turn, text)
    elif state == State.EDIT_PICK and text is not None:
        ident = match_choice(text, choices_for(turn))
        if ident is not None:
            turn.answers["editing"] = True
            turn.state = ident
            ask(turn)
            handled = True
    elif state in (State.CANCEL_CONFIRM, State.RESUME, State.LANGUAGE) and text is not None:
        handled = _small_question(turn, text)
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
    if not handled:
        invalid(turn, _error_for(turn, event))


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


def _confirm(turn: Turn, text: str) -> bool:
    match = _EDIT.match(normalize(text))
    steps = applicable_steps(turn.answers)
    if match and 1 <= int(match.group(1)) <= len(steps):
        turn.answers["editing"] = True
        turn.state = steps[int(match.group(1)) - 1]
        ask(turn)
        return True
    ident = match_choice(text, choices_for(turn))
    if ident == "edit":
        turn.state = State.EDIT_PICK
        ask(turn)
    elif ident == "confirm":
        done = set(turn.answers.get("done_steps") or ())
        missing = [s for s in steps if s not in done]
        if missing:
            # Defensive: a step skipped by "back" while editing is asked before filing.
            turn.answers["editing"] = True
            turn.state = missing[0]
            ask(turn)
        else:
            turn.commands.append(FileComplaint(build_draft(turn)))
    else:
        return False
    return True


def _small_question(turn: Turn, text: str) -> bool:
    ident = match_choice(text, choices_for(turn))
    if turn.state == State.LANGUAGE:
        if ident is None:
            return False
        _switch_language(turn, ident)
        return True
    if turn.state == State.CANCEL_CONFIRM:
        if ident == "yes" or (ident is None and is_yes(text)):
            _discard(turn)
            turn.say("cancelled")
            _menu(turn)
        elif ident == "no" or (ident is None and is_no(text)):
            turn.state = str(turn.answers.pop("cancel_return", State.MENU.value))
            ask(turn)
        else:
            return False
        return True
    if ident == "continue":
        turn.state = str(turn.answers.pop("resume_state", State.MENU.value))
        if turn.state == State.CANCEL_CONFIRM:
            turn.state = str(turn.answers.pop("cancel_return", State.MENU.value))
        ask(turn)
    elif ident == "start_over":
        _start_draft(turn, str(turn.answers.get("type") or "complaint"))
    else:
        return False
    return True


def build_draft(turn: Turn) -> dict[str, object]:
    """The draft handed to FileComplaint: every key present, None when not given."""
    steps = set(applicable_steps(turn.answers))
    draft = turn.draft
    keys = ("category", "subcategory", "merchant_name", "merchant_address", "order_number",
            "incident_date", "amount", "description", "demands", "contact_name",
            "contact_phone")
    out: dict[str, object] = {"type": turn.answers.get("type")}
    for key in keys:
        out[key] = draft.get(key) if key in steps else None
    out["consent_share"] = bool(draft.get("consent_share")) if "consent_share" in steps else False
    out["language"] = turn.language
    return out


def _back(turn: Turn) -> None:
    state = turn.state
    viewing = turn.answers.get("viewing") or {}
    if state in STEP_STATES or state == State.CONFIRM:
        turn.state = move(state, turn.answers, "back")
        if turn.state == State.CONFIRM:
            turn.answers["editing"] = False
        if turn.state == State.MENU:
            _menu(turn)
            return
    elif state == State.EDIT_PICK:
        turn.state = State.CONFIRM
    elif state == State.CANCEL_CONFIRM:
        turn.state = str(turn.answers.pop("cancel_return", State.MENU.value))
    elif state == State.LANGUAGE:
        turn.state = str(turn.answers.pop("lang_return", State.MENU.value))
    elif state == State.MY_DETAIL:
        list_complaints(turn)
        return
    elif state in (State.CONFIRM_WITHDRAW, State.RATING_COMMENT):
        turn.commands.append(ShowComplaint(str(viewing.get("number", ""))))
        turn.state = State.MY_DETAIL
        return
    elif state in (State.ADDING_EVIDENCE, State.RATING):
        leave(turn)
        return
    elif state != State.RESUME:
        _menu(turn)
        return
    ask(turn)


def _menu(turn: Turn) -> None:
    turn.state = State.MENU
    ask(turn)


def _menu_item(turn: Turn, item: str) -> None:
    if item in FLOW.types:
        _start_draft(turn, item)
    elif item == "my_complaints":
        list_complaints(turn)
    elif item == "help":
        turn.replies.append(Reply(help_text(turn)))
        ask(turn)
    elif item == "language":
        turn.answers["lang_return"] = State.MENU.value
        turn.state = State.LANGUAGE
        ask(turn)
    else:
        _menu(turn)


def _discard(turn: Turn) -> None:
    if turn.answers.get("type") is not None:
        turn.commands.append(DiscardDraftEvidence())
    turn.clear_draft()


def _start_draft(turn: Turn, type_id: str) -> None:
    _discard(turn)
    turn.answers.update(type=type_id, draft={}, done_steps=[], editing=False, evidence_count=0)
    turn.state = FLOW.types[type_id][0]
    ask(turn)


def _switch_language(turn: Turn, language: str) -> None:
    turn.language = language if language in ("zh-CN", "en") else turn.language
    turn.language_chosen = True
    turn.say("language_switched")
    if turn.state == State.LANGUAGE:
        turn.state = str(turn.answers.pop("lang_return", State.MENU.value))
        if turn.state == State.LANGUAGE:
            turn.state = State.MENU
    ask(turn)


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
        _filed(turn, result)
    elif isinstance(command, RecordEvidence):
        _evidence_result(turn, command, result)
    elif isinstance(command, ListComplaints) and isinstance(result, ComplaintList):
        show_list(turn, result)
    elif isinstance(command, ShowComplaint | WithdrawComplaint | RateComplaint):
        _complaint_result(turn, command, result)
    return turn.result()


def _filed(turn: Turn, result: CommandResult) -> None:
    type_label_ = type_label(str(turn.answers.get("type") or "complaint"), turn.language)
    if not isinstance(result, Filed):
        turn.say("filed.failed", type=type_label_)
        ask(turn)
        return
    s = result.summary
    turn.say("filed.done", type=type_label_, number=s.number)
    if s.accept_due or s.resolve_due:
        turn.say(
            "filed.deadlines",
            accept_due=format_date(turn.language, s.accept_due),
            resolve_due=format_date(turn.language, s.resolve_due),
        )
    else:
        turn.say("filed.deadlines_days", accept=turn.options.accept_workdays,
                 resolve=turn.options.resolve_workdays)
    turn.say("filed.check")
    turn.clear_draft()
    _menu(turn)


def _evidence_result(turn: Turn, command: RecordEvidence, result: CommandResult) -> None:
    limit = turn.options.max_evidence_files
    if isinstance(result, Done):
        if command.complaint_number is None:
            turn.answers["evidence_count"] = result.count
            turn.say("evidence.received", count=result.count, max=limit)
            if result.count >= limit and turn.state == "evidence":
                turn.say("evidence.limit", max=limit)
                turn.state = move(turn.state, turn.answers, "next")
                ask(turn)
        else:
            turn.say("evidence.complaint_received", number=command.complaint_number,
                     count=result.count)
        return
    reason = result.reason if isinstance(result, Refused) else "failed"
    if reason == "evidence_limit":
        turn.say("evidence.limit", max=limit)
    elif reason in ("too_large", "bad_type", "not_found"):
        turn.say(f"evidence.{reason}")
    else:
        turn.say("error.failed")
    turn.replies.append(question(turn))


def _complaint_result(turn: Turn, command: Command, result: CommandResult) -> None:
    if isinstance(command, ShowComplaint) and isinstance(result, ComplaintDetail):
        show_detail(turn, result)
        return
    number = getattr(command, "number", "")
    if isinstance(command, WithdrawComplaint):
        if isinstance(result, Done):
            turn.say("withdraw.done", number=number)
        elif isinstance(result, Refused) and result.reason == "not_found":
            turn.say("my.not_found")
        else:
            turn.say("withdraw.cannot", number=number)
        _menu(turn)
        return
    if isinstance(command, RateComplaint):
        turn.say("rating.thanks" if isinstance(result, Done) else "rating.cannot")
        turn.answers.pop("rating_score", None)
        leave(turn)
        return
    turn.say("my.not_found")
    _menu(turn)


def _enter(conv: Conversation, number: str, state: State, now: datetime,
           options: DialogOptions) -> StepResult:
    turn = Turn.begin(conv, now=now, options=options)
    back_to = turn.state if turn.state in KNOWN_STATES else State.MENU.value
    if back_to in (State.ADDING_EVIDENCE, State.RATING, State.RATING_COMMENT, State.START):
        back_to = State.MENU.value
    turn.answers["return_to"] = back_to
    turn.answers["viewing"] = {"number": number, "can_add_evidence": True}
    turn.state = state
    if state == State.RATING:
        turn.say("rating.ask_after", number=number)
    ask(turn)
    return turn.result()


def enter_add_evidence(
    conv: Conversation, number: str, *, now: datetime, options: DialogOptions
) -> StepResult:
    """Staff asked for more evidence: collect files for complaint ``number``.

    Media sent next become ``RecordEvidence(media, number)``; "done" returns the
    consumer to where they were (a draft in progress is kept).
    """
    return _enter(conv, number, State.ADDING_EVIDENCE, now, options)


def enter_rating(
    conv: Conversation, number: str, *, now: datetime, options: DialogOptions
) -> StepResult:
    """A complaint was resolved or closed: ask the consumer to rate it from 1 to 5."""
    return _enter(conv, number, State.RATING, now, options)
