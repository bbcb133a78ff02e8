"""The terminal chat channel (``weiquan chat``): lines in, numbered text out."""

from __future__ import annotations

import uuid
from datetime import datetime

from adapters.base import ChannelLoop
from dialogs.events import TextMessage
from dialogs.replies import Reply
from dialogs.vocabulary import Platform


def to_event(line: str, *, user: str, now: datetime, lang: str | None) -> TextMessage:
    """A typed line as a neutral event; each line is a new delivery."""
    return TextMessage(
        platform=Platform.TERMINAL,
        user_id=user,
        message_id=f"console:{uuid.uuid4().hex}",
        received_at=now,
        language_hint=lang,
        text=line.rstrip("\r\n"),
    )


def render(reply: Reply) -> str:
    """A reply as terminal text: choices become a numbered list."""
    lines = [reply.text]
    lines.extend(f"  {n}. {choice.label}" for n, choice in enumerate(reply.choices, start=1))
    return "\n".join(lines)


class TerminalChannel:
    """The terminal chat as a channel: no routes, nothing pushed, nothing to fetch.

    Its notices ride along with the next reply, like the web chat's.
    """

    name = Platform.TERMINAL
    router = None
    sender = None
    fetcher = None

    def loops(self) -> list[ChannelLoop]:
        return []

    async def close(self) -> None:
        return None
