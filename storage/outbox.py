"""The outbox: messages pushed to consumers, written in the same transaction as their cause.

A staff member's status change and the consumer's notice commit together; the worker
delivers the notice later. Channels that cannot push (web chat, terminal chat) and
notices that wait for a platform window are handed over with the consumer's next reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.events import Platform, Reply
from storage.models import Identity, OutboxNotice

# Channels with no way to push: their notices ride along with the next reply (and the
# web chat page also polls for them).
PULL_PLATFORMS = frozenset({Platform.WEB.value, Platform.CONSOLE.value})


async def enqueue(
    *,
    session: AsyncSession,
    identity: Identity,
    replies: Sequence[Reply],
    now: datetime,
    complaint_id: int | None = None,
    kind: str = "notice",
) -> OutboxNotice:
    """Queue a message for a consumer; it is sent only if the transaction commits."""
    notice = OutboxNotice(
        identity_id=identity.id,
        platform=identity.platform,
        complaint_id=complaint_id,
        kind=kind,
        payload={"replies": [r.to_dict() for r in replies]},
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(notice)
    await session.flush()
    return notice


def notice_replies(notice: OutboxNotice) -> list[Reply]:
    """The replies a notice carries."""
    return [Reply.from_dict(r) for r in notice.payload.get("replies", [])]


async def take_held_for_reply(
    *, session: AsyncSession, identity: Identity, now: datetime, limit: int = 5
) -> list[Reply]:
    """Notices that wait for the consumer's next message, marked delivered with the reply.

    These are notices ``held`` because a platform window was closed (WeChat's 48 hours)
    and, for channels that cannot push, every pending notice.
    """
    statuses = ["held"]
    if identity.platform in PULL_PLATFORMS:
        statuses.append("pending")
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
            or_(OutboxNotice.status == "pending", OutboxNotice.status == "held"),
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
    notice.status = "sent"
    notice.sent_at = now
    notice.delivered_via = via
    notice.lease_until = None
