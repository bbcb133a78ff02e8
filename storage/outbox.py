"""The outbox: messages pushed to consumers, written in the same transaction as their cause.

A staff member's status change and the consumer's notice commit together; the worker
delivers the notice later. Channels that cannot push (web chat, terminal chat) and
notices that wait for a platform window are handed over with the consumer's next reply.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dialogs.delivery import (
    Delivered,
    DeliveryError,
    HoldForReply,
    NoticeFacts,
    Recipient,
    RetryLater,
    Undeliverable,
)
from dialogs.replies import Reply
from dialogs.vocabulary import PULL_PLATFORMS, NoticeStatus
from storage.models import Identity, OutboxNotice

#: Statuses of the notices a consumer's next reply hands over: those ``held`` for a
#: closed platform window; on a channel that cannot push, the ``pending`` ones too
#: (which the web chat page's poll also takes).
CARRIED_BY_REPLY: tuple[NoticeStatus, ...] = (NoticeStatus.HELD,)
CARRIED_BY_PULL: tuple[NoticeStatus, ...] = (NoticeStatus.HELD, NoticeStatus.PENDING)


def carried_by_reply(platform: str) -> tuple[NoticeStatus, ...]:
    """The statuses of the notices a reply on ``platform`` carries."""
    return CARRIED_BY_PULL if platform in PULL_PLATFORMS else CARRIED_BY_REPLY


def queue(
    *,
    session: AsyncSession,
    identity: Identity,
    replies: Sequence[Reply],
    now: datetime,
    complaint_id: int | None = None,
    kind: str = "notice",
    facts: dict[str, str | None] | None = None,
) -> OutboxNotice:
    """Queue a message for a consumer; it is sent only if the transaction commits.

    ``facts`` (``number``, ``status``, ``summary``) say what the notice is about, for
    channels that show short fields instead of the text (WeChat templates). The row has
    its id once the session flushes (:func:`enqueue` flushes at once).
    """
    payload: dict[str, Any] = {"replies": [r.to_dict() for r in replies]}
    if facts:
        payload["facts"] = {k: str(v) for k, v in facts.items() if v is not None}
    notice = OutboxNotice(
        identity_id=identity.id,
        platform=identity.platform,
        complaint_id=complaint_id,
        kind=kind,
        payload=payload,
        status=NoticeStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(notice)
    return notice


async def enqueue(
    *,
    session: AsyncSession,
    identity: Identity,
    replies: Sequence[Reply],
    now: datetime,
    complaint_id: int | None = None,
    kind: str = "notice",
    facts: dict[str, str | None] | None = None,
) -> OutboxNotice:
    """:func:`queue` a message and flush, so the notice has its id."""
    notice = queue(
        session=session, identity=identity, replies=replies, now=now,
        complaint_id=complaint_id, kind=kind, facts=facts,
    )  # fmt: skip
    await session.flush()
    return notice


#: Notice kinds a person wrote, and who: a page labels these as that person's words.
SENDERS = {"message": "staff", "merchant_message": "merchant"}


def notice_replies(notice: OutboxNotice) -> list[Reply]:
    """The replies a notice carries, each naming its writer when a person wrote it."""
    replies = [Reply.from_dict(r) for r in notice.payload.get("replies", [])]
    sender = SENDERS.get(notice.kind)
    if sender is None:
        return replies
    return [r if r.sender else replace(r, sender=sender) for r in replies]


def notice_facts(notice: OutboxNotice, replies: Sequence[Reply]) -> NoticeFacts:
    """What the notice is about; the summary defaults to the first line of its text."""
    raw = notice.payload.get("facts")
    facts = raw if isinstance(raw, dict) else {}
    first = next((r.text.strip().splitlines()[0] for r in replies if r.text.strip()), None)
    return NoticeFacts(
        number=facts.get("number"),
        status=facts.get("status"),
        summary=facts.get("summary") or first,
        at=notice.created_at,
    )


async def take_held_for_reply(
    *, session: AsyncSession, identity: Identity, now: datetime, limit: int = 5
) -> list[Reply]:
    """Notices that wait for the consumer's next message, marked delivered with the reply.

    These are notices ``held`` because a platform window was closed (WeChat's 48 hours)
    and, for channels that cannot push, every pending notice.
    """
    statuses = carried_by_reply(identity.platform)
    rows = await session.scalars(
        select(OutboxNotice)
        .where(OutboxNotice.identity_id == identity.id, OutboxNotice.status.in_(statuses))
        .order_by(OutboxNotice.id)
        .limit(limit)
    )
    replies: list[Reply] = []
    for notice in rows:
        replies.extend(notice_replies(notice))
        mark_sent(notice, now=now, via="reply")
    return replies


async def take_for_page(
    *, session: AsyncSession, identity: Identity, now: datetime, limit: int = 20
) -> list[Reply]:
    """Pending notices of a web chat consumer, for the page's poll."""
    rows = await session.scalars(
        select(OutboxNotice)
        .where(
            OutboxNotice.identity_id == identity.id,
            OutboxNotice.status.in_(CARRIED_BY_PULL),
        )
        .order_by(OutboxNotice.id)
        .limit(limit)
        .with_for_update()
    )
    replies: list[Reply] = []
    for notice in rows:
        replies.extend(notice_replies(notice))
        mark_sent(notice, now=now, via="page")
    return replies


def mark_sent(notice: OutboxNotice, *, now: datetime, via: str) -> None:
    """Record a delivery."""
    notice.status = NoticeStatus.SENT
    notice.sent_at = now
    notice.delivered_via = via
    notice.lease_until = None


# --------------------------------------------------------------------------- delivery

# States a notice waits in before it is final; an older one of these blocks the next
# notice to the same consumer, so notices arrive in the order they were written.
UNSENT = (NoticeStatus.PENDING, NoticeStatus.SENDING, NoticeStatus.RETRYING, NoticeStatus.HELD)

#: Final states of a notice that did not go out; only staff send these again.
GAVE_UP = (NoticeStatus.DEAD, NoticeStatus.UNDELIVERABLE)


@dataclass(frozen=True)
class Claimed:
    """A notice claimed for delivery under a lease, with what the sender needs."""

    id: int
    recipient: Recipient
    replies: list[Reply]
    attempts: int
    blocked: bool
    blocked_reason: str | None = None
    facts: NoticeFacts | None = None


def due(now: datetime) -> ColumnElement[bool]:
    """A push notice is due: its next try has come, or the worker holding it died.

    Order is not considered (:func:`claimable` adds it).
    """
    return and_(
        OutboxNotice.platform.not_in(sorted(PULL_PLATFORMS)),
        or_(
            and_(
                OutboxNotice.status.in_((NoticeStatus.PENDING, NoticeStatus.RETRYING)),
                OutboxNotice.next_attempt_at <= now,
            ),
            # A worker that died holding a lease: its rows come back when the lease ends.
            and_(OutboxNotice.status == NoticeStatus.SENDING, OutboxNotice.lease_until < now),
        ),
    )


def claimable(now: datetime) -> ColumnElement[bool]:
    """Due, and no older notice to the same consumer is still unsent."""
    earlier = aliased(OutboxNotice)
    older_unsent = exists().where(
        earlier.identity_id == OutboxNotice.identity_id,
        earlier.id < OutboxNotice.id,
        earlier.status.in_(UNSENT),
    )
    return and_(due(now), ~older_unsent)


async def claim_due(
    *, session: AsyncSession, now: datetime, lease: timedelta, limit: int = 20
) -> list[Claimed]:
    """Claim due notices for this worker; commit right after so the lease is visible.

    PostgreSQL skips rows other workers hold (``FOR UPDATE SKIP LOCKED``); SQLite
    serialises writers, so two claims never overlap there either.
    """
    rows = (
        await session.execute(
            select(OutboxNotice, Identity)
            .join(Identity, Identity.id == OutboxNotice.identity_id)
            .where(claimable(now))
            .order_by(OutboxNotice.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxNotice)
        )
    ).all()
    claimed: list[Claimed] = []
    for notice, identity in rows:
        notice.status = NoticeStatus.SENDING
        notice.lease_until = now + lease
        notice.attempts += 1
        replies = notice_replies(notice)
        claimed.append(
            Claimed(
                id=notice.id,
                recipient=Recipient(
                    identity_id=identity.id,
                    platform=identity.platform,
                    external_id=identity.external_id,
                    language=identity.language,
                    last_inbound_at=identity.last_inbound_at,
                    pushes_since_inbound=identity.pushes_since_inbound,
                    last_interaction_at=identity.last_interaction_at,
                    pushes_since_interaction=identity.pushes_since_interaction,
                ),
                replies=replies,
                attempts=notice.attempts,
                blocked=identity.blocked,
                blocked_reason=identity.blocked_reason,
                facts=notice_facts(notice, replies),
            )
        )
    return claimed


def backoff(attempts: int, *, base: float = 2.0, cap: float = 3600.0) -> float:
    """Seconds before the next try: exponential with full jitter.

    Full jitter (uniform between 0 and the exponential ceiling) spreads the retries of
    many notices that failed together — a platform outage — instead of sending them
    back in one burst.
    """
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return random.uniform(0, ceiling)


async def due_count(*, session: AsyncSession, now: datetime) -> int:
    """How many push notices are due now (for the metrics; order is not considered)."""
    query = (
        select(func.count())
        .select_from(OutboxNotice)
        .where(due(now))
    )
    return int(await session.scalar(query) or 0)


async def record_outcome(
    *,
    session: AsyncSession,
    claimed: Claimed,
    outcome: Delivered | DeliveryError,
    now: datetime,
    max_attempts: int,
) -> NoticeStatus:
    """Record how a delivery ended; returns the notice's new status."""
    notice = await session.get_one(OutboxNotice, claimed.id, with_for_update=True)
    identity = await session.get_one(Identity, claimed.recipient.identity_id)
    if notice.status != NoticeStatus.SENDING or notice.attempts != claimed.attempts:
        # This worker outlived its lease and another one claimed the notice again: that
        # claim records the outcome. A delivery still counts.
        if isinstance(outcome, Delivered) and notice.status != NoticeStatus.SENT:
            mark_sent(notice, now=now, via=outcome.via)
        return notice.status
    notice.lease_until = None
    if isinstance(outcome, Delivered):
        mark_sent(notice, now=now, via=outcome.via)
        identity.pushes_since_inbound += 1
        identity.pushes_since_interaction += 1
        if outcome.new_external_id:
            identity.external_id = outcome.new_external_id
        return notice.status
    notice.last_error = outcome.reason[:500]
    if isinstance(outcome, HoldForReply):
        notice.status = NoticeStatus.HELD
    elif isinstance(outcome, Undeliverable):
        notice.status = NoticeStatus.UNDELIVERABLE
        if outcome.block_identity:
            identity.blocked = True
            identity.blocked_reason = outcome.reason[:200]
    elif isinstance(outcome, RetryLater) and claimed.attempts < max_attempts:
        notice.status = NoticeStatus.RETRYING
        delay = (
            outcome.retry_after if outcome.retry_after is not None else backoff(claimed.attempts)
        )
        notice.next_attempt_at = now + timedelta(seconds=delay)
    else:
        notice.status = NoticeStatus.DEAD
    return notice.status


async def retry_notice(*, session: AsyncSession, notice_id: int, now: datetime) -> bool:
    """Send a dead or undeliverable notice again (staff console); False if not found."""
    notice = await session.get(OutboxNotice, notice_id, with_for_update=True)
    if notice is None or notice.status not in GAVE_UP:
        return False
    notice.status = NoticeStatus.PENDING
    notice.attempts = 0
    notice.next_attempt_at = now
    notice.last_error = None
    identity = await session.get_one(Identity, notice.identity_id)
    identity.blocked = False
    identity.blocked_reason = None
    return True


async def dead_notices(*, session: AsyncSession, limit: int = 100) -> list[OutboxNotice]:
    """Notices that will not go out by themselves, newest first, with their reasons."""
    rows = await session.scalars(
        select(OutboxNotice)
        .where(OutboxNotice.status.in_(GAVE_UP))
        .order_by(OutboxNotice.id.desc())
        .limit(limit)
    )
    return list(rows)
