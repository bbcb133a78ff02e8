"""Staff moves on a consumer's case conversation that come from outside a message.

Pure entries for ``Engine.apply`` (bots/engine.py): a staff message opens the reply
window; a withdrawn request is forgotten. Asking for evidence or a rating enters its
question (``intake.enter_add_evidence`` / ``intake.enter_rating``).
"""

from __future__ import annotations

from datetime import datetime

from dialogs import case_reply
from dialogs.conversation import Conversation, StepResult
from dialogs.machine import State
from dialogs.my_complaints import leave
from dialogs.open_requests import drop as drop_open_request
from dialogs.options import DialogOptions
from dialogs.turn import Turn


def open_reply_window(
    conv: Conversation, number: str, *, now: datetime, options: DialogOptions
) -> StepResult:
    """Staff wrote to the consumer: their next free text answers on complaint ``number``.

    The conversation stays where it is; nothing is said (the staff message is the notice).
    """
    turn = Turn.begin(conv, now=now, options=options)
    case_reply.open_window(turn, number)
    return turn.result()


def drop_request(
    conv: Conversation, kind: str, number: str, *, now: datetime, options: DialogOptions
) -> StepResult:
    """Staff withdrew a request: forget it, and leave its question if the consumer is there."""
    turn = Turn.begin(conv, now=now, options=options)
    drop_open_request(turn, kind, number)
    viewing = turn.answers.get("viewing") or {}
    asking = State.ADDING_EVIDENCE if kind == "evidence" else State.RATING
    in_question = turn.state == asking or (
        kind == "rating" and turn.state == State.RATING_COMMENT
    )
    if in_question and viewing.get("number") == number:
        leave(turn)
    return turn.result()
