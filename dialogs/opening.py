"""What a chat page shows before the consumer has said anything: the opening words.

A page with no history to show (a new browser, or an exchange older than the dedupe
table keeps) asks for these instead of sending a "hi" on the consumer's behalf: nothing
is stored, no message is handled, and the consumer's first real message is the first
thing the engine sees.
"""

from __future__ import annotations

from datetime import datetime

from dialogs.conversation import Conversation
from dialogs.flow import load_flow
from dialogs.machine import State
from dialogs.navigation import DRAFT_STATES, KNOWN_STATES
from dialogs.open_requests import remind
from dialogs.options import DialogOptions
from dialogs.questions import ask
from dialogs.replies import Reply
from dialogs.turn import Turn
from dialogs.vocabulary import supported


def opening(
    conv: Conversation,
    *,
    now: datetime,
    options: DialogOptions,
    language_hint: str | None = None,
) -> tuple[Reply, ...]:
    """The greeting, the open requests and the question the conversation is at.

    Args:
        conv: the stored conversation (a default one for a consumer never seen).
        now: the current time (UTC).
        options: deployment options.
        language_hint: the page's language, used until the consumer chose one.

    Returns:
        The replies to show; the conversation itself is left as it is.
    """
    turn = Turn.begin(conv, now=now, options=options)
    hint = supported(language_hint)
    if hint and not conv.language_chosen:
        turn.language = hint
    stale = turn.state not in KNOWN_STATES or (
        turn.state in DRAFT_STATES and turn.answers.get("type") not in load_flow().types
    )
    if stale:
        # The engine would answer from the menu: offer what it will understand.
        turn.state = State.MENU
    if turn.state in (State.START, State.MENU):
        turn.say("greeting")
    # Open requests first, then the question: the same order the menu uses.
    remind(turn)
    ask(turn)
    return tuple(turn.replies)
