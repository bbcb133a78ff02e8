""""My complaints": the list, one complaint's timeline, and what a consumer may do next.

The engine guarantees a consumer only sees their own complaints; these functions only
turn commands' results into replies and choices.
"""

from __future__ import annotations

from typing import Any

from dialogs import case_reply, open_requests
from dialogs.command_results import ComplaintDetail, ComplaintList
from dialogs.commands import (
    ListComplaints,
    RateComplaint,
    RecordEvidence,
    ShowComplaint,
    WithdrawComplaint,
)
from dialogs.events import InboundEvent, MediaMessage, TextMessage
from dialogs.keywords import is_done, is_no, is_skip, is_yes
from dialogs.machine import State
from dialogs.questions import DETAIL_ACTIONS, ask, choices_for
from dialogs.replies import Choice, Reply
from dialogs.texts import (
    LANGUAGES,
    category_label,
    format_date,
    reason_label,
    status_label,
    t,
    type_label,
)
from dialogs.turn import Turn
from dialogs.validators import match_choice, normalize, parse_text

#: Longest rating comment kept; longer ones are asked again.
COMMENT_MAX_LENGTH = 500


def list_complaints(turn: Turn) -> None:
    """Ask the engine for the consumer's complaints; the list comes with the result."""
    turn.commands.append(ListComplaints())
    turn.state = State.MY_LIST


def show_list(turn: Turn, result: ComplaintList) -> None:
    """Show the complaints as choices, or say there are none and offer the menu."""
    open_requests.replace_all(turn, result.requests)
    if not result.items:
        turn.say("my.empty")
        turn.state = State.MENU
        ask(turn)
        return
    listed: list[dict[str, Any]] = []
    for i, item in enumerate(result.items, start=1):
        # Telegram callback data is 64 bytes: fall back to the position for long numbers.
        ident = item.number if item.number.isascii() and len(item.number) <= 40 else f"c{i}"
        label = turn.t(
            "my.item",
            number=item.number,
            category=category_label(item.category, turn.language),
            status=status_label(item.status, turn.language),
            updated=format_date(turn.language, item.updated_at),
        )
        listed.append({"id": ident, "number": item.number, "label": label})
    turn.answers["listed"] = listed
    turn.state = State.MY_LIST
    open_requests.remind(turn)
    ask(turn)


def pick_from_list(turn: Turn, event: InboundEvent) -> bool:
    """Open the complaint the consumer chose; False when the answer matched nothing."""
    if not isinstance(event, TextMessage):
        return False
    ident = match_choice(event.text, choices_for(turn))
    for item in turn.answers.get("listed") or []:
        if isinstance(item, dict) and item.get("id") == ident:
            number = str(item.get("number"))
            turn.answers["viewing"] = {"number": number}
            turn.commands.append(ShowComplaint(number))
            turn.state = State.MY_DETAIL
            return True
    return False


def show_detail(turn: Turn, detail: ComplaintDetail) -> None:
    """Show one complaint with its timeline and the actions it allows."""
    lang = turn.language
    s = detail.summary
    turn.answers["viewing"] = {
        "number": s.number,
        "can_add_evidence": detail.can_add_evidence,
        "can_withdraw": detail.can_withdraw,
        "can_rate": detail.can_rate,
        "can_reply": detail.can_reply,
    }
    open_requests.replace_for(turn, s.number, detail.requests)
    lines = [
        turn.t(
            "my.detail",
            number=s.number,
            type=type_label(s.type, lang),
            category=category_label(s.category, lang),
            status=status_label(s.status, lang),
            filed=format_date(lang, s.filed_at),
        )
    ]
    if s.accept_due or s.resolve_due:
        lines.append(
            turn.t(
                "my.deadlines",
                accept_due=format_date(lang, s.accept_due),
                resolve_due=format_date(lang, s.resolve_due),
            )
        )
    elif s.decision_due or s.answer_due:
        key = "my.decision_due" if s.decision_due else "my.answer_due"
        lines.append(turn.t(key, date=format_date(lang, s.decision_due or s.answer_due)))
    lines.append(turn.t("my.evidence_count", count=detail.evidence_count))
    for request in open_requests.entries(turn):
        if request["number"] == s.number:
            lines.append(turn.t("my.request", text=open_requests.line(turn, request)))
    if s.rating is not None:
        lines.append(turn.t("my.rating", score=s.rating))
    if detail.timeline:
        lines.append(turn.t("my.timeline"))
        for entry in detail.timeline:
            values = {"at": format_date(lang, entry.at), "status": status_label(entry.status, lang)}
            reason = reason_label(entry.reason, lang) if entry.reason else None
            note = " ".join(part for part in (reason, entry.note) if part)
            if note:
                lines.append(turn.t("my.entry_note", note=note, **values))
            else:
                lines.append(turn.t("my.entry", **values))
    turn.replies.append(Reply("\n".join(lines)))
    turn.state = State.MY_DETAIL
    ask(turn)


def act_on_detail(turn: Turn, event: InboundEvent) -> bool:
    """Start what the consumer chose for the complaint shown; False if nothing matched."""
    if not isinstance(event, TextMessage):
        return False
    viewing = turn.answers.get("viewing") or {}
    ident = match_choice(event.text, choices_for(turn))
    if ident is None:
        # Actions not offered are still understood, so we can say why they are not.
        ident = _action_word(event.text)
    if ident == "reply":
        if not viewing.get("can_reply"):
            turn.say("case.cannot_reply")
            ask(turn)
        else:
            case_reply.start(turn, str(viewing.get("number", "")))
        return True
    if ident == "add_evidence":
        if not viewing.get("can_add_evidence"):
            turn.say("my.cannot_add_evidence")
            ask(turn)
            return True
        turn.answers["return_to"] = State.MY_DETAIL.value
        turn.state = State.ADDING_EVIDENCE
    elif ident == "withdraw":
        if not viewing.get("can_withdraw"):
            turn.say("withdraw.cannot", number=viewing.get("number", ""))
            ask(turn)
            return True
        turn.state = State.CONFIRM_WITHDRAW
    elif ident == "rate":
        if not viewing.get("can_rate"):
            turn.say("rating.cannot")
            ask(turn)
            return True
        turn.answers["return_to"] = State.MENU.value
        turn.state = State.RATING
    else:
        return False
    ask(turn)
    return True


def _action_word(text: str) -> str | None:
    """An action named by id or label in either language (not by number)."""
    if normalize(text).isdigit():
        return None
    for action in DETAIL_ACTIONS:
        choices = tuple(Choice(action, t(lang, f"choice.{action}")) for lang in LANGUAGES)
        if match_choice(text, choices):
            return action
    return None


def confirm_withdraw(turn: Turn, event: InboundEvent) -> bool:
    """Withdraw after a yes; keep it after a no; False when neither."""
    if not isinstance(event, TextMessage):
        return False
    number = str((turn.answers.get("viewing") or {}).get("number", ""))
    ident = match_choice(event.text, choices_for(turn))
    if ident == "yes" or (ident is None and is_yes(event.text)):
        turn.commands.append(WithdrawComplaint(number))
        return True
    if ident == "no" or (ident is None and is_no(event.text)):
        turn.say("withdraw.kept")
        turn.state = State.MY_DETAIL
        ask(turn)
        return True
    return False


def add_evidence(turn: Turn, event: InboundEvent) -> bool:
    """Record a file for the complaint being viewed, or finish on "done"."""
    number = str((turn.answers.get("viewing") or {}).get("number", ""))
    if isinstance(event, MediaMessage):
        turn.commands.append(RecordEvidence(event, complaint_number=number))
        return True
    if isinstance(event, TextMessage) and (
        match_choice(event.text, choices_for(turn)) == "done" or is_done(event.text)
    ):
        turn.say("evidence.finished")
        leave(turn)
        return True
    return False


def rate(turn: Turn, event: InboundEvent) -> bool:
    """Read the score (1–5), then an optional comment; emit RateComplaint."""
    if not isinstance(event, TextMessage):
        return False
    if turn.state == State.RATING:
        ident = match_choice(event.text, choices_for(turn))
        if ident is None:
            return False
        turn.answers["rating_score"] = int(ident)
        turn.state = State.RATING_COMMENT
        ask(turn)
        return True
    comment: str | None = None
    if not (match_choice(event.text, choices_for(turn)) == "skip" or is_skip(event.text)):
        comment, error = parse_text(event.text, min_length=1, max_length=COMMENT_MAX_LENGTH)
        if error:
            return False
    number = str((turn.answers.get("viewing") or {}).get("number", ""))
    score = int(turn.answers.get("rating_score") or 0)
    turn.commands.append(RateComplaint(number, score, comment))
    return True


def leave(turn: Turn) -> None:
    """Go back where the consumer was before (a draft, the detail) or to the menu."""
    target = str(turn.answers.pop("return_to", "") or State.MENU.value)
    if target == State.MY_DETAIL:
        number = str((turn.answers.get("viewing") or {}).get("number", ""))
        turn.commands.append(ShowComplaint(number))
        turn.state = State.MY_DETAIL
        return
    turn.state = target
    ask(turn)
