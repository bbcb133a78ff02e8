"""What every channel adapter shares: platform names, errors, and the push contracts.

Channels that can push outside a reply (WeChat, Telegram) provide a :class:`Sender`
for the outbox worker and a :class:`MediaFetcher` for evidence downloads. The worker
(bots/delivery/worker.py) maps the exceptions below to outbox and evidence states.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dialogs.events import Platform, Reply

__all__ = [
    "AdapterError",
    "Delivered",
    "DeliveryError",
    "HoldForReply",
    "MediaExpired",
    "MediaFetcher",
    "NoticeFacts",
    "Platform",
    "Recipient",
    "RetryLater",
    "Sender",
    "Undeliverable",
]


class AdapterError(Exception):
    """A request the adapter refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Recipient:
    """Who a pushed message goes to, with what a channel needs to pick a route."""

    identity_id: int
    platform: str
    external_id: str
    language: str
    last_inbound_at: datetime | None
    pushes_since_inbound: int
    # The last follow, menu click or QR scan (WeChat's short window), and pushes since.
    last_interaction_at: datetime | None = None
    pushes_since_interaction: int = 0


@dataclass(frozen=True)
class NoticeFacts:
    """What a notice is about, for channels that show fields instead of text.

    WeChat template messages show only short keyword fields (no free text since
    2023-05-04): the complaint's number, its status, when, and a short summary.

    Attributes:
        number: the complaint's public number, if the notice is about one.
        status: the complaint's status (machine value) when the notice was written.
        summary: a one-line summary in the consumer's language.
        at: when the notice was written (UTC).
    """

    number: str | None = None
    status: str | None = None
    summary: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Delivered:
    """A successful push. ``via`` names the route (``custom``, ``template``, ``message``).

    ``new_external_id`` is set when the platform moved the consumer (Telegram
    ChatMigrated): the worker updates the identity.
    """

    via: str
    new_external_id: str | None = None


class DeliveryError(Exception):
    """A push that did not go through; ``reason`` is shown to staff."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(DeliveryError):
    """A passing failure (timeout, 5xx, rate limit): try again, after ``retry_after`` if set."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Undeliverable(DeliveryError):
    """A permanent failure. ``block_identity``: the consumer blocked us or left."""

    def __init__(self, reason: str, *, block_identity: bool = False) -> None:
        super().__init__(reason)
        self.block_identity = block_identity


class HoldForReply(DeliveryError):
    """No push route now (WeChat window closed, no template): deliver with the next reply."""


class MediaExpired(DeliveryError):
    """The platform no longer has the file (WeChat temporary media lives 3 days)."""


class Sender(Protocol):
    """A channel that can push messages outside a reply."""

    platform: str

    async def send(
        self, recipient: Recipient, replies: list[Reply], facts: NoticeFacts | None = None
    ) -> Delivered:
        """Deliver ``replies`` or raise a :class:`DeliveryError`; ``facts`` feed templates."""
        ...


class MediaFetcher(Protocol):
    """A channel whose evidence files are downloaded after the reply."""

    platform: str

    def fetch(self, platform_ref: str, kind: str) -> AsyncIterator[bytes]:
        """Stream the file's bytes; raise :class:`RetryLater`, :class:`MediaExpired` or
        :class:`Undeliverable` (e.g. over the platform's size limit)."""
        ...
