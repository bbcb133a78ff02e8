"""What every channel adapter shares: the :class:`Channel` contract and what it is given.

A channel (WeChat, Telegram, web, terminal) turns platform traffic into neutral events
for the engine and renders the replies. The app mounts what each channel gives: its
inbound HTTP routes, its :class:`Sender` and :class:`MediaFetcher` for the outbox
worker, and its background loops. How a push ends is the neutral vocabulary of
:mod:`dialogs.delivery`; what a channel asks of the engine is :class:`Inbox`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from fastapi import APIRouter

from dialogs.delivery import Delivered, NoticeFacts, Outgoing, Receipt, Recipient
from dialogs.events import InboundEvent
from dialogs.replies import Reply
from dialogs.vocabulary import Platform

__all__ = [
    "AdapterError",
    "Channel",
    "ChannelLoop",
    "Inbox",
    "MediaFetcher",
    "Sender",
]


class AdapterError(Exception):
    """A request the adapter refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Sender(Protocol):
    """A channel that can push messages outside a reply."""

    platform: Platform

    async def send(
        self, recipient: Recipient, replies: list[Reply], facts: NoticeFacts | None = None
    ) -> Delivered:
        """Deliver ``replies`` or raise a :class:`~dialogs.delivery.DeliveryError`;
        ``facts`` feed templates."""
        ...


class MediaFetcher(Protocol):
    """A channel whose evidence files are downloaded after the reply."""

    platform: Platform

    def fetch(self, platform_ref: str, kind: str) -> AsyncIterator[bytes]:
        """Stream the file's bytes; raise :class:`~dialogs.delivery.RetryLater`,
        :class:`~dialogs.delivery.MediaExpired` or :class:`~dialogs.delivery.Undeliverable`
        (e.g. over the platform's size limit)."""
        ...


class Inbox(Protocol):
    """The engine as a channel sees it: events in, once each, replies out.

    Channels whose reply is the HTTP answer (WeChat, web, terminal) use :meth:`handle`;
    channels that push replies after the transaction (Telegram) use :meth:`handle_push`
    and then report how sending ended with the receipt.
    """

    async def handle(self, event: InboundEvent) -> list[Reply]:
        """Apply ``event`` once and return the replies for the consumer (every copy)."""
        ...

    async def handle_push(self, event: InboundEvent) -> Outgoing:
        """Apply ``event`` once; the replies to push come back once, with a receipt."""
        ...

    async def delivered(self, receipt: Receipt) -> None:
        """The pushed replies went out: redeliveries send nothing."""
        ...

    async def refused(self, receipt: Receipt, *, block_reason: str | None = None) -> None:
        """The platform refused the replies for good (``block_reason``: blocked)."""
        ...

    async def not_sent(self, receipt: Receipt) -> None:
        """A passing failure: the next redelivery sends the replies."""
        ...


@dataclass(frozen=True)
class ChannelLoop:
    """A background loop a channel needs (Telegram's long polling), run by the app.

    The app calls ``step`` until it is stopped, logging failures as an outage (a
    failed step is retried after a pause), and ``finish`` once at the end, also when
    cancelled, within a few seconds.

    Attributes:
        name: what the logs call it ("telegram polling").
        step: one round; returns the seconds to wait before the next (0: at once).
            It may return early once ``stop`` is set.
        finish: gives up what the loop holds (a lease), if anything.
    """

    name: str
    step: Callable[[asyncio.Event], Awaitable[float]]
    finish: Callable[[], Awaitable[None]] | None = None


class Channel(Protocol):
    """One way consumers reach Weiquan, with everything the app mounts for it."""

    @property
    def name(self) -> Platform:
        """The platform the channel serves."""
        ...

    @property
    def router(self) -> APIRouter | None:
        """The inbound HTTP routes (webhooks, the chat page), None without any."""
        ...

    @property
    def sender(self) -> Sender | None:
        """Pushes notices outside a reply; None when the channel cannot push."""
        ...

    @property
    def fetcher(self) -> MediaFetcher | None:
        """Downloads evidence files after the reply; None when uploads arrive whole."""
        ...

    def loops(self) -> list[ChannelLoop]:
        """The background loops this process must run for the channel."""
        ...

    async def close(self) -> None:
        """Release the network clients the channel holds."""
        ...
