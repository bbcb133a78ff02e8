"""Replies that depend on what the engine did with a command (filed, evidence, lists)."""

from __future__ import annotations

from dialogs.answers import store
from dialogs.command_results import CommandResult, ComplaintDetail, Done, Filed, Refused
from dialogs.commands import (
    Command,
    RateComplaint,
    RecordEvidence,
    ShowComplaint,
    WithdrawComplaint,
)
from dialogs.flow import load_flow
from dialogs.my_complaints import leave, show_detail
from dialogs.navigation import show_menu
from dialogs.questions import ask, question
from dialogs.texts import format_date, type_label
from dialogs.turn import Turn


def filed(turn: Turn, result: CommandResult) -> None:
    """Announce the number, the deadlines and how to check progress; back to the menu."""
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
    elif s.decision_due or s.answer_due:
        # A report or a consultation has its own clock (dialogs/flow.yaml, clocks).
        key = "filed.decision_due" if s.decision_due else "filed.answer_due"
        turn.say(key, date=format_date(turn.language, s.decision_due or s.answer_due))
    else:
        turn.say("filed.deadlines_days", accept=turn.options.accept_workdays,
                 resolve=turn.options.resolve_workdays)
    turn.say("filed.check")
    turn.clear_draft()
    show_menu(turn)


def evidence_result(turn: Turn, command: RecordEvidence, result: CommandResult) -> None:
    """Count a recorded file (moving on at the limit) or explain why it was refused."""
    limit = turn.options.max_evidence_files
    if isinstance(result, Done):
        if command.complaint_number is None:
            turn.answers["evidence_count"] = result.count
            turn.say("evidence.received", count=result.count, max=limit)
            if result.count >= limit and turn.state == "evidence":
                # The step is over: say so and move on as if "done" had been sent, so a
                # "done" typed afterwards is not read as the next answer.
                turn.say("evidence.limit_next", max=limit)
                store(turn, load_flow().steps["evidence"], None)
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


def complaint_result(turn: Turn, command: Command, result: CommandResult) -> None:
    """Show a complaint's detail, or the outcome of withdrawing or rating it."""
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
        show_menu(turn)
        return
    if isinstance(command, RateComplaint):
        turn.say("rating.thanks" if isinstance(result, Done) else "rating.cannot")
        turn.answers.pop("rating_score", None)
        leave(turn)
        return
    turn.say("my.not_found")
    show_menu(turn)
