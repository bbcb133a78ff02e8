"""The engine: applies one inbound event in one database transaction.

1. lock the consumer's conversation row (created on first contact) and look the
   (platform, consumer, message id) up in the dedupe table — a repeat returns the
   stored replies and changes nothing (:mod:`storage.turns`);
2. step the intake dialog (pure);
3. carry out its commands (file, attach evidence, withdraw, rate…);
4. save the conversation, record the message with its replies, commit.

Channels whose reply is the HTTP answer (web, WeChat, console) use :meth:`Engine.handle`.
Channels that push replies after the transaction (Telegram) use
:meth:`Engine.handle_push` and then report how sending ended: the replies are sent once
however often the platform redelivers (the claim is described in
:mod:`storage.processed`).

WeChat retries a webhook after 5 s even while the first try still runs, and Telegram
redelivers until it gets a 2xx. Copies of one message come from one consumer, so they
queue on that consumer's row lock and the later ones find the first one's dedupe row;
because the dedupe row and the conversation update commit together, a retry can never
apply twice and a crash never loses an acknowledged answer. The primary key on the
dedupe table is the last line of defence: a duplicate insert aborts the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bots.commands import CommandRunner
from bots.ops.metrics import MESSAGE_SECONDS, MESSAGES
from dialogs import intake
from dialogs.conversation import Conversation, StepResult
from dialogs.delivery import Outgoing, Receipt
from dialogs.events import InboundEvent, MenuClicked, NoticeConsent, Subscribed, Unsubscribed
from dialogs.replies import Reply
from dialogs.vocabulary import Language
from storage import outbox, processed
from storage.db import Database
from storage.models import Identity
from storage.turns import join_turn, open_turn, settle_delivery

log = logging.getLogger("weiquan.engine")

# Events the platform sends on the consumer's behalf rather than messages they wrote.
_PLATFORM_EVENTS = (Subscribed, MenuClicked, Unsubscribed, NoticeConsent)


class Engine:
    """Turns inbound events into replies, exactly once per platform delivery.

    Args:
        database: where conversations and complaints live.
        runner: carries out dialog commands against storage.
        options: dialog options (language, limits).
        clock: returns the current time (tests pass their own).
    """

    def __init__(
        self,
        database: Database,
        runner: CommandRunner,
        options: intake.DialogOptions,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.database = database
        self.runner = runner
        self.options = options
        self.clock = clock or (lambda: datetime.now(UTC))
        # Drafts and stored replies are sealed with the contact fields' cipher.
        self.cipher = runner.cipher

    async def handle(self, event: InboundEvent) -> list[Reply]:
        """Apply ``event`` once and return the replies for the consumer (every copy)."""
        return (await self._apply(event, push=False)).replies

    async def handle_push(self, event: InboundEvent) -> Outgoing:
        """Apply ``event`` once; the replies to push come back once, with a receipt.

        A copy of a message whose replies were sent (or refused) gets nothing to send;
        so does a copy arriving while another is sending them (``busy``). With the
        receipt, report how sending ended: :meth:`delivered`, :meth:`refused` or
        :meth:`not_sent`.
        """
        return await self._apply(event, push=True)

    async def delivered(self, receipt: Receipt) -> None:
        """The pushed replies went out: redeliveries send nothing."""
        await settle_delivery(self.database, receipt, processed.SENT)

    async def refused(self, receipt: Receipt, *, block_reason: str | None = None) -> None:
        """The platform refused the replies for good; ``block_reason`` marks the consumer
        blocked, as the outbox worker does. Redeliveries send nothing."""
        await settle_delivery(
            self.database, receipt, processed.REFUSED, block_reason=block_reason
        )

    async def not_sent(self, receipt: Receipt) -> None:
        """A passing failure: the claim is dropped, so the next redelivery sends."""
        await settle_delivery(self.database, receipt, None)

    async def _apply(self, event: InboundEvent, *, push: bool) -> Outgoing:
        platform = event.platform
        with MESSAGE_SECONDS.labels(platform).time():
            async with open_turn(self.database, self.cipher) as held:
                locked, stored = await held.lock(
                    platform=platform,
                    external_id=event.user_id,
                    language=self.language_of(event),
                    message_key=event.message_id,
                )
                now = self.clock()
                receipt = Receipt(platform, locked.identity_id, event.message_id)
                if stored is not None:
                    MESSAGES.labels(platform, "repeat").inc()
                    again = [Reply.from_dict(r) for r in stored.replies]
                    if not push:
                        return Outgoing(again)
                    if not stored.claimable(now):
                        return Outgoing(busy=stored.delivery == processed.PENDING)
                    # Never sent (a crash after commit, or a passing failure): this copy
                    # takes the claim and sends them.
                    await held.claim(receipt, until=now + processed.CLAIM)
                    return Outgoing(again, receipt)
                result = intake.step(locked.dialog(), event, now=now, options=self.options)
                conv, replies = result.conversation, list(result.replies)
                if result.commands or locked.notices_waiting:
                    # Commands and notices are rare: only they pay for an ORM session.
                    session = await held.session()
                    identity = await session.get_one(Identity, locked.identity_id)
                    conv, replies = await self.runner.carry_out(
                        session, identity, result, now, options=self.options
                    )
                    if locked.notices_waiting:
                        replies.extend(
                            await outbox.take_held_for_reply(
                                session=session, identity=identity, now=now
                            )
                        )
                    await session.flush()
                delivery, claimed_until = None, None
                if push:
                    delivery = processed.PENDING if replies else processed.SENT
                    claimed_until = now + processed.CLAIM if replies else None
                await held.finish(
                    locked,
                    conv,
                    now,
                    platform=platform,
                    message_key=event.message_id,
                    replies=[r.to_dict() for r in replies],
                    resubscribe=not isinstance(event, Unsubscribed),
                    delivery=delivery,
                    claimed_until=claimed_until,
                    # Only a message the consumer wrote opens WeChat's 48-hour window.
                    opens_window=not isinstance(event, _PLATFORM_EVENTS),
                )
        MESSAGES.labels(platform, "applied").inc()
        return Outgoing(replies, receipt if push and replies else None)

    async def apply(
        self,
        session: AsyncSession,
        identity: Identity,
        enter: Callable[[Conversation], StepResult],
    ) -> list[Reply]:
        """Move a consumer's conversation from outside a message (staff actions).

        ``enter`` is a pure dialog entry such as ``intake.enter_add_evidence``. The move
        goes through the same conversation lock as a message (:func:`join_turn`), inside
        the caller's transaction, so it commits with whatever the staff did.
        """
        held = await join_turn(session, self.cipher)
        locked = await held.lock_identity(identity_id=identity.id, platform=identity.platform)
        now = self.clock()
        result = enter(locked.dialog())
        conv, replies = await self.runner.carry_out(
            session, identity, result, now, options=self.options
        )
        await held.save(locked, conv, now)
        return replies

    def language_of(self, event: InboundEvent) -> Language:
        """The language a new consumer's row starts in: the platform's hint when it is
        one of ours, else the deployment's."""
        return Language.parse(event.language_hint, self.options.default_language)
