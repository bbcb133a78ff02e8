"""A consumer's conversation held under its row lock for one transaction.

Two things move a conversation, and both go through a :class:`ConversationLock`:

- a **consumer message** (:meth:`ConversationLock.lock` … :meth:`ConversationLock.finish`):
  the consumer is found by platform and platform user id (created on first contact),
  the read also returns what this consumer's message got before (None when it is new),
  and the write records the message with its replies in the dedupe table;
- a **staff move** (:meth:`ConversationLock.lock_identity` … :meth:`ConversationLock.save`):
  the consumer is found by identity id inside the staff member's transaction, and the
  write records no message and leaves the consumer's messaging window alone.

Both read the same columns into a :class:`Locked` and save the conversation with its
version bumped by one. Drafts and replies are sealed with the cipher the lock is opened
with. :mod:`storage.turns` opens the implementation for the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.conversation import Conversation
from storage.processed import Receipt, Stored


@dataclass(frozen=True)
class Locked:
    """A consumer's identity and conversation, read under the conversation's row lock."""

    identity_id: int
    language: str
    language_chosen: bool
    last_inbound_at: datetime | None
    pushes_since_inbound: int
    unsubscribed: bool
    blocked: bool
    state: str
    answers: dict[str, Any]
    version: int
    updated_at: datetime | None
    notices_waiting: bool

    def dialog(self) -> Conversation:
        """The conversation as the dialogs see it."""
        return Conversation(
            state=self.state,
            answers=dict(self.answers or {}),
            language=self.language,
            language_chosen=self.language_chosen,
            updated_at=self.updated_at if self.version else None,
        )


class ConversationLock(Protocol):
    """One transaction's hold on a consumer's conversation (see the module docstring)."""

    async def lock(
        self, *, platform: str, external_id: str, language: str, message_key: str
    ) -> tuple[Locked, Stored | None]:
        """A consumer message: the conversation (created on first contact) and what
        this consumer's ``message_key`` got before, or None when it is new."""
        ...

    async def lock_identity(self, *, identity_id: int, platform: str) -> Locked:
        """A staff move: the conversation of an identity that exists."""
        ...

    async def session(self) -> AsyncSession:
        """An ORM session inside the same transaction, for commands and notices."""
        ...

    async def claim(self, receipt: Receipt, *, until: datetime) -> None:
        """Take the right to push a message's stored replies until ``until``."""
        ...

    async def finish(
        self,
        locked: Locked,
        conv: Conversation,
        now: datetime,
        *,
        platform: str,
        message_key: str,
        replies: list[dict[str, Any]],
        resubscribe: bool,
        delivery: str | None = None,
        claimed_until: datetime | None = None,
        opens_window: bool = True,
    ) -> None:
        """Save the conversation after a message and record the message with its replies."""
        ...

    async def save(self, locked: Locked, conv: Conversation, now: datetime) -> None:
        """Save the conversation after a staff move; no message is recorded."""
        ...
