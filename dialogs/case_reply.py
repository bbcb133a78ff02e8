"""The reply window: the consumer writes to the handler of their complaint.

A staff message opens the window on its case (``answers["reply_window"]``). While it
is open, the consumer's next free text — anything that is neither a chat word nor an
answer the current state expects — becomes a message on that case, confirmed with
"sent to the handler of complaint N". "My complaints" → a complaint → "reply"
(``回复`` / ``reply``) opens the same window at any time while the case is open, as
the ``replying`` state, where every text is the message. Files sent while a window is
open, or while an evidence request is open, become evidence of that case.

Pure: recording is the ``SendCaseMessage`` command; storage checks that the case is
the consumer's own (storage/case_messages.py).
"""

from __future__ import annotations

from dialogs.answers import invalid
from dialogs.command_results import CommandResult, Done, Refused
from dialogs.commands import RecordEvidence, SendCaseMessage
from dialogs.events import InboundEvent, MediaMessage, TextMessage
from dialogs.machine import State
from dialogs.open_requests import evidence_case
from dialogs.questions import ask, question
from dialogs.turn import Turn
from dialogs.validators import parse_text

WINDOW = "reply_window"
#: Longest message kept, as for staff messages.
MESSAGE_MAX_LENGTH = 2000


def open_window(turn: Turn, number: str) -> None:
    """Open the reply window on complaint ``number`` (a staff message was sent)."""
    turn.answers[WINDOW] = {"number": number}


def window_case(turn: Turn) -> str | None:
    """The complaint whose reply window is open, if any."""
    window = turn.answers.get(WINDOW)
    number = window.get("number") if isinstance(window, dict) else None
    return number if isinstance(number, str) and number else None


def close_window(turn: Turn, number: str | None = None) -> None:
    """Close the window (only if it is on ``number`` when one is given)."""
    if number is None or window_case(turn) == number:
        turn.answers.pop(WINDOW, None)


def start(turn: Turn, number: str) -> None:
    """Ask for the message to the handler of complaint ``number``."""
    viewing = dict(turn.answers.get("viewing") or {})
    viewing["number"] = number
    turn.answers["viewing"] = viewing
    turn.state = State.REPLYING
    ask(turn)


def reply_word(turn: Turn) -> bool:
    """``回复`` / ``reply`` in a case or with a window open; False: choose a case first."""
    viewing = turn.answers.get("viewing") or {}
    if turn.state == State.REPLYING:
        ask(turn)
        return True
    if turn.state == State.MY_DETAIL and viewing.get("number"):
        if not viewing.get("can_reply"):
            turn.say("case.cannot_reply")
            ask(turn)
            return True
        start(turn, str(viewing["number"]))
        return True
    number = window_case(turn)
    if number is not None:
        start(turn, number)
        return True
    return False


def in_reply(turn: Turn, event: InboundEvent) -> bool:
    """A message in the ``replying`` state: text is the message, files are evidence."""
    number = str((turn.answers.get("viewing") or {}).get("number", ""))
    if isinstance(event, MediaMessage):
        turn.commands.append(RecordEvidence(event, complaint_number=number))
        return True
    if not isinstance(event, TextMessage):
        return False
    text, error = parse_text(event.text, min_length=1, max_length=MESSAGE_MAX_LENGTH)
    if error or text is None:
        invalid(turn, error or "empty", max=MESSAGE_MAX_LENGTH, min=1)
        return True
    turn.commands.append(SendCaseMessage(number, text))
    return True


def may_catch(turn: Turn, event: InboundEvent) -> bool:
    """Whether a message the state rejects could still belong to a case."""
    if isinstance(event, TextMessage):
        return window_case(turn) is not None
    if isinstance(event, MediaMessage):
        return (window_case(turn) or evidence_case(turn)) is not None
    return False


def catch(turn: Turn, event: InboundEvent) -> bool:
    """Take a message the current state rejected as a message or evidence of the case."""
    if isinstance(event, MediaMessage):
        number = window_case(turn) or evidence_case(turn)
        if number is None:
            return False
        turn.commands.append(RecordEvidence(event, complaint_number=number))
        return True
    number = window_case(turn)
    if number is None or not isinstance(event, TextMessage):
        return False
    text, error = parse_text(event.text, min_length=1, max_length=MESSAGE_MAX_LENGTH)
    if error == "too_long":
        invalid(turn, error, max=MESSAGE_MAX_LENGTH)
        return True
    if error or text is None:
        return False
    turn.commands.append(SendCaseMessage(number, text))
    return True


def sent(turn: Turn, command: SendCaseMessage, result: CommandResult) -> None:
    """Confirm the message (or say why it was not taken); the caller shows the menu."""
    close_window(turn, command.number)
    if isinstance(result, Done):
        turn.say("case.sent", number=command.number)
    elif isinstance(result, Refused) and result.reason == "case_closed":
        turn.say("case.closed", number=command.number)
    else:
        turn.say("my.not_found")


def evidence_added(turn: Turn, command: RecordEvidence, result: Done) -> None:
    """A file sent outside "add evidence" went to the case: say so, re-ask the question."""
    turn.say("case.evidence_added", number=command.complaint_number or "", count=result.count)
    turn.replies.append(question(turn))
