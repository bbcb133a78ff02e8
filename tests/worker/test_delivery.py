"""Outbox delivery on SQLite and PostgreSQL: sent, retried, dead, held, blocked, ordered."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from adapters.base import HoldForReply, RetryLater, Undeliverable
from bots import background, worker
from bots.services import Services
from dialogs.events import Platform, Reply, TextMessage
from storage import outbox
from storage.models import Identity, OutboxNotice
from tests.conftest import Clock

from .channel import ScriptedSender

_n = iter(range(10**6))


async def consumer(services: Services, user: str) -> Identity:
    await services.engine.handle(
        TextMessage(
            platform=Platform.WECHAT,
            user_id=user,
            message_id=f"wx{next(_n)}",
            received_at=datetime.now(UTC),
            text="hi",
        )
    )
    async with services.database.sessions() as session:
        identity = await session.scalar(select(Identity).where(Identity.external_id == user))
    assert identity is not None
    return identity


async def notify(services: Services, identity: Identity, text: str) -> int:
    async with services.database.transaction() as session:
        notice = await outbox.enqueue(
            session=session, identity=identity, replies=[Reply(text)], now=services.now()
        )
    return notice.id


async def statuses(services: Services) -> list[tuple[str, str | None]]:
    async with services.database.sessions() as session:
        rows = await session.scalars(select(OutboxNotice).order_by(OutboxNotice.id))
        return [(n.status, n.last_error) for n in rows]


async def test_a_notice_is_sent_and_recorded(services: Services) -> None:
    sender = ScriptedSender()
    services.senders["wechat"] = sender
    identity = await consumer(services, "o1")
    await notify(services, identity, "accepted")
    assert await worker.deliver_due(services) == 1
    assert sender.sent == [("o1", "accepted")]
    assert (await statuses(services))[0][0] == "sent"
    async with services.database.sessions() as session:
        assert (await session.get_one(Identity, identity.id)).pushes_since_inbound == 1
    assert await worker.deliver_due(services) == 0


async def test_retry_after_is_honoured_then_dead_after_the_limit(
    services: Services, clock: Clock
) -> None:
    sender = ScriptedSender(script=[RetryLater("429", retry_after=30)])
    services.senders["wechat"] = sender
    await notify(services, await consumer(services, "o2"), "hello")
    await worker.deliver_due(services)
    async with services.database.sessions() as session:
        notice = (await session.scalars(select(OutboxNotice))).one()
    assert notice.status == "retrying"
    assert notice.next_attempt_at == clock.now + timedelta(seconds=30)
    assert await worker.deliver_due(services) == 0  # not due yet
    limit = services.settings.outbox_max_attempts
    sender.script = [RetryLater("system busy") for _ in range(limit)]
    for _ in range(limit):
        clock.advance(hours=2)
        await worker.deliver_due(services)
    assert await statuses(services) == [("dead", "system busy")]
    assert sender.sent == []


async def test_blocked_consumers_are_marked_and_not_tried_again(services: Services) -> None:
    sender = ScriptedSender(script=[Undeliverable("43004 unsubscribed", block_identity=True)])
    services.senders["wechat"] = sender
    identity = await consumer(services, "o3")
    await notify(services, identity, "one")
    await worker.deliver_due(services)
    await notify(services, identity, "two")
    await worker.deliver_due(services)
    assert [s for s, _ in await statuses(services)] == ["undeliverable", "undeliverable"]
    assert sender.sent == []
    async with services.database.transaction() as session:
        blocked = await session.get_one(Identity, identity.id)
        assert blocked.blocked and blocked.blocked_reason == "43004 unsubscribed"
        first = (await outbox.dead_notices(session=session))[-1]
        assert await outbox.retry_notice(session=session, notice_id=first.id, now=services.now())
    await worker.deliver_due(services)
    assert sender.sent == [("o3", "one")]


async def test_held_notices_ride_along_with_the_next_reply(services: Services) -> None:
    services.senders["wechat"] = ScriptedSender(script=[HoldForReply("window closed")])
    identity = await consumer(services, "o4")
    await notify(services, identity, "Your complaint was accepted.")
    await worker.deliver_due(services)
    assert (await statuses(services))[0][0] == "held"
    replies = await services.engine.handle(
        TextMessage(
            platform=Platform.WECHAT,
            user_id="o4",
            message_id="wx-back",
            received_at=clock_now(),
            text="hi",
        )
    )
    assert "Your complaint was accepted." in [r.text for r in replies]
    assert (await statuses(services))[0][0] == "sent"


def clock_now() -> datetime:
    return datetime.now(UTC)


async def test_order_per_consumer_is_kept_through_retries(services: Services, clock: Clock) -> None:
    sender = ScriptedSender(script=[RetryLater("timeout")])
    services.senders["wechat"] = sender
    identity = await consumer(services, "o5")
    other = await consumer(services, "o6")
    for text in ("first", "second"):
        await notify(services, identity, text)
    await notify(services, other, "elsewhere")
    await worker.deliver_due(services)
    # The failed "first" holds "second" back; another consumer is not held up.
    assert sender.sent == [("o6", "elsewhere")]
    clock.advance(hours=1)
    await worker.deliver_due(services)
    await worker.deliver_due(services)
    assert sender.sent == [("o6", "elsewhere"), ("o5", "first"), ("o5", "second")]


async def test_a_dead_workers_lease_runs_out_and_the_notice_goes(
    services: Services, clock: Clock
) -> None:
    sender = ScriptedSender()
    services.senders["wechat"] = sender
    await notify(services, await consumer(services, "o7"), "leased")
    lease = timedelta(seconds=services.settings.outbox_lease_seconds)
    async with services.database.transaction() as session:
        claimed = await outbox.claim_due(session=session, now=clock.now, lease=lease)
    assert len(claimed) == 1  # ...and this worker dies without recording anything
    assert await worker.deliver_due(services) == 0
    clock.advance(seconds=lease.total_seconds() + 1)
    assert await worker.deliver_due(services) == 1
    assert sender.sent == [("o7", "leased")]


async def test_a_channel_that_is_not_configured_is_a_visible_retry(services: Services) -> None:
    await notify(services, await consumer(services, "o8"), "nowhere")
    await worker.deliver_due(services)
    assert await statuses(services) == [
        ("retrying", "channel not configured")
    ]


async def test_web_notices_are_left_for_the_page(services: Services) -> None:
    sender = ScriptedSender()
    services.senders["wechat"] = sender
    await services.engine.handle(
        TextMessage(
            platform=Platform.WEB,
            user_id="page",
            message_id="w1",
            received_at=clock_now(),
            text="hi",
        )
    )
    async with services.database.sessions() as session:
        identity = (await session.scalars(select(Identity))).one()
    await notify(services, identity, "for the page")
    assert await worker.deliver_due(services) == 0
    assert (await statuses(services))[0][0] == "pending"


async def test_the_loops_stop_when_asked(services: Services) -> None:
    stop = asyncio.Event()
    tasks = background.start(services, stop)
    assert {t.get_coro().__name__ for t in tasks} >= {"deliver_notices", "download_evidence"}
    await asyncio.sleep(0.05)
    stop.set()
    _, pending = await asyncio.wait(tasks, timeout=5)
    assert not pending
