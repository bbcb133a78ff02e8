"""Linking channels: ``绑定`` / ``link`` gives a code, ``绑定 CODE`` / ``link CODE`` uses it.

Works in every state. Asking for a code keeps the consumer where they were; entering a
code that storage accepts asks "link with your … account?" (yes/no) and returns to
where they were afterwards. Pure: the code, its checks and the link itself are
commands the engine carries out (see storage/links.py).
"""

from __future__ import annotations

import math
from datetime import datetime

from dialogs import clock
from dialogs.command_results import (
    CommandResult,
    LinkCodeIssued,
    LinkCodeValid,
    Linked,
    LinkRefused,
)
from dialogs.commands import CheckLinkCode, Command, IssueLinkCode, RedeemLinkCode
from dialogs.events import InboundEvent, TextMessage
from dialogs.keywords import is_no, is_yes, link_request
from dialogs.machine import State
from dialogs.questions import ask, choices_for
from dialogs.turn import Turn
from dialogs.validators import match_choice

CODE_LENGTH = 6
LINK_COMMANDS = (IssueLinkCode, CheckLinkCode, RedeemLinkCode)


def link_word(turn: Turn, text: str) -> bool:
    """Ask for a code or enter one; False when ``text`` is not a link request."""
    request = link_request(text)
    if request is None:
        return False
    if request == "":
        turn.commands.append(IssueLinkCode())
    elif len(request) == CODE_LENGTH and request.isascii():
        turn.commands.append(CheckLinkCode(request))
    else:
        turn.say("link.bad_format")
        ask(turn)
    return True


def confirm_link(turn: Turn, event: InboundEvent) -> bool:
    """Link after a yes, leave things as they are after a no; False when neither."""
    if not isinstance(event, TextMessage):
        return False
    ident = match_choice(event.text, choices_for(turn))
    if ident == "yes" or (ident is None and is_yes(event.text)):
        code_id = (turn.answers.get("link_pending") or {}).get("code_id")
        if not isinstance(code_id, int):
            turn.say("link.expired")
            leave_link(turn)
            return True
        turn.commands.append(RedeemLinkCode(code_id))
        return True
    if ident == "no" or (ident is None and is_no(event.text)):
        turn.say("link.declined")
        leave_link(turn)
        return True
    return False


def leave_link(turn: Turn) -> None:
    """Back to where the consumer was before entering the code."""
    turn.answers.pop("link_pending", None)
    turn.state = str(turn.answers.pop("link_return", "") or State.MENU.value)
    ask(turn)


def link_result(turn: Turn, command: Command, result: CommandResult) -> None:
    """Show the code, ask to confirm, or say what happened with the link."""
    if isinstance(result, LinkCodeIssued):
        turn.say(
            "link.code",
            code=result.code,
            minutes=_minutes_left(turn.now, result.expires_at),
            until=_local_time(turn, result.expires_at),
        )
        ask(turn)
    elif isinstance(result, LinkCodeValid):
        if turn.state != State.LINK_CONFIRM:
            back_to = turn.state if turn.state != State.START else State.MENU.value
            turn.answers["link_return"] = back_to
        turn.answers["link_pending"] = {"code_id": result.code_id, "platform": result.platform}
        turn.state = State.LINK_CONFIRM
        ask(turn)
    elif isinstance(result, Linked):
        turn.say("link.done", count=result.members)
        leave_link(turn)
    else:
        _refused(turn, result if isinstance(result, LinkRefused) else LinkRefused("failed"))
        if isinstance(command, RedeemLinkCode):
            leave_link(turn)
        else:
            ask(turn)


def _refused(turn: Turn, refusal: LinkRefused) -> None:
    if refusal.reason == "locked" and refusal.until is not None:
        turn.say(
            "link.locked",
            minutes=_minutes_left(turn.now, refusal.until),
            until=_local_time(turn, refusal.until),
        )
    elif refusal.reason == "wrong":
        turn.say("link.wrong", tries=refusal.tries_left or 0)
    elif refusal.reason in ("expired", "own_code", "already_linked"):
        turn.say(f"link.{refusal.reason}")
    else:
        turn.say("error.failed")


def _minutes_left(now: datetime, until: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def _local_time(turn: Turn, moment: datetime) -> str:
    """``HH:MM`` on the consumers' local clock (Asia/Shanghai by default)."""
    return f"{clock.local_now(moment):%H:%M}"
