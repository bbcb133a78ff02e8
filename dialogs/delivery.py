"""How pushing a message to a consumer ends: the vocabulary channels, storage and the
worker share.

A channel's sender answers :class:`Delivered` or raises one of the
:class:`DeliveryError` kinds; the outbox (storage/outbox.py) and the worker map them to
notice and evidence states. :class:`Outgoing` is what the engine gives a channel that
pushes its replies after the transaction (Telegram), with the :class:`Receipt` to
report how sending ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dialogs.replies import Reply

__all__ = [
    "Delivered",
    "DeliveryError",
    "HoldForReply",
    "MediaExpired",
    "NoticeFacts",
    "Outgoing",
    "Receipt",
    "Recipient",
    "RetryLater",
    "Undeliverable",
]


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


@dataclass(frozen=True)
class Receipt:
    """Names one processed message, to record how the delivery of its replies ended."""

    platform: str
    identity_id: int
    message_key: str


@dataclass(frozen=True)
class Outgoing:
    """Replies a push channel has to send now, and the receipt to settle them with.

    ``replies`` is empty when there is nothing to send: already sent or refused, or
    ``busy`` — an earlier copy of the message is sending them right now.
    """

    replies: list[Reply] = field(default_factory=list)
    receipt: Receipt | None = None
    busy: bool = False
