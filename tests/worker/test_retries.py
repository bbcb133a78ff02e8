"""Backoff, retry-after, dead letters, leases and per-consumer order (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from bots.delivery import worker
from bots.services import Services
from dialogs.delivery import Delivered, RetryLater
from storage import outbox
from tests.conftest import Clock

from .channel import ScriptedSender
from .helpers import consumer, notices, notify, statuses


def test_backoff_is_full_jitter_doubling_from_two_seconds_up_to_an_hour() -> None:
    for attempts in range(1, 16):
        ceiling = min(3600.0, 2.0 * 2 ** (attempts - 1))
        samples = [outbox.backoff(attempts) for _ in range(400)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8 and min(samples) < ceiling * 0.2  # spread out


async def test_waits_grow_with_each_failed_attempt(services: Services, clock: Clock) -> None:
    services.settings.outbox_batch_size = 50
    services.settings.outbox_max_attempts = 20
    sender = ScriptedSender(script=[RetryLater("timeout") for _ in range(30 * 6)])
    services.senders["wechat"] = sender
    for i in range(30):
        await notify(services, await consumer(services, f"b{i}"), f"n{i}")
    longest = []
    for attempt in range(1, 7):
        assert await worker.deliver_due(services) == 30
        waits = [(n.next_attempt_at - clock.now).total_seconds() for n in await notices(services)]
        assert all(0 <= w <= 2 * 2 ** (attempt - 1) for w in waits)
        longest.append(max(waits))
        clock.advance(hours=2)
    # 30 draws from [0, 64] all below 16 would happen once in 10^18 runs.
    assert longest[-1] > 16 > 2 >= longest[0]
    assert {n.attempts for n in await notices(services)} == {6}


async def test_retry_after_is_honoured(services: Services, clock: Clock) -> None:
    sender = ScriptedSender(script=[RetryLater("429 too many requests", retry_after=30)])
    services.senders["wechat"] = sender
    await notify(services, await consumer(services, "o2"), "hello")
    start = clock.now
    await worker.deliver_due(services)
    [notice] = await notices(services)
    assert notice.status == "retrying" and notice.last_error == "429 too many requests"
    assert notice.next_attempt_at == start + timedelta(seconds=30)
    clock.advance(seconds=29)
    assert await worker.deliver_due(services) == 0  # not due yet
    clock.advance(seconds=2)
    assert await worker.deliver_due(services) == 1
    assert sender.sent == [("o2", "hello")]


async def test_dead_after_the_configured_attempts_with_the_reason(
    services: Services, clock: Clock
) -> None:
    services.settings.outbox_max_attempts = 3
    sender = ScriptedSender(script=[RetryLater("system busy", retry_after=1) for _ in range(5)])
    services.senders["wechat"] = sender
    await notify(services, await consumer(services, "d1"), "doomed")
    for _ in range(5):
        await worker.deliver_due(services)
        clock.advance(minutes=1)
    assert len(sender.tried) == 3
    assert await statuses(services) == [("dead", "system busy")]


async def test_staff_retry_really_sends_a_dead_notice_again(
    services: Services, clock: Clock
) -> None:
    services.settings.outbox_max_attempts = 1
    sender = ScriptedSender(script=[RetryLater("-1 system error")])
    services.senders["wechat"] = sender
    first = await notify(services, await consumer(services, "r1"), "first")
    await worker.deliver_due(services)
    async with services.database.transaction() as session:
        [dead] = await outbox.dead_notices(session=session, limit=10)
        assert (dead.id, dead.status, dead.last_error) == (first, "dead", "-1 system error")
        assert await outbox.retry_notice(session=session, notice_id=first, now=clock.now)
        assert not await outbox.retry_notice(session=session, notice_id=first, now=clock.now)
        assert not await outbox.retry_notice(session=session, notice_id=999_999, now=clock.now)
    assert await worker.deliver_due(services) == 1
    assert sender.sent == [("r1", "first")]
    async with services.database.sessions() as session:
        assert await outbox.dead_notices(session=session, limit=10) == []


async def test_order_per_consumer_is_kept_through_retries(services: Services, clock: Clock) -> None:
    sender = ScriptedSender(script=[RetryLater("timeout")])
    services.senders["wechat"] = sender
    who = await consumer(services, "o5")
    other = await consumer(services, "o6")
    for text in ("first", "second", "third"):
        await notify(services, who, text)
    await notify(services, other, "elsewhere")
    await worker.deliver_due(services)
    # The failed "first" holds "second" back; another consumer is not held up.
    assert sender.sent == [("o6", "elsewhere")]
    for _ in range(3):
        clock.advance(hours=1)
        await worker.deliver_due(services)
    assert [text for _, text in sender.sent] == ["elsewhere", "first", "second", "third"]


async def test_a_dead_notice_does_not_hold_the_next_one_back(
    services: Services, clock: Clock
) -> None:
    services.settings.outbox_max_attempts = 1
    sender = ScriptedSender(script=[RetryLater("timeout")])
    services.senders["wechat"] = sender
    who = await consumer(services, "o10")
    await notify(services, who, "lost")
    await notify(services, who, "next")
    await worker.deliver_due(services)
    await worker.deliver_due(services)
    assert [s for s, _ in await statuses(services)] == ["dead", "sent"]


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
    clock.advance(seconds=lease.total_seconds() - 1)
    assert await worker.deliver_due(services) == 0
    clock.advance(seconds=2)
    assert await worker.deliver_due(services) == 1
    assert sender.sent == [("o7", "leased")]
    [notice] = await notices(services)
    assert (notice.status, notice.attempts) == ("sent", 2)


async def test_a_late_worker_cannot_undo_what_the_next_claim_recorded(
    services: Services, clock: Clock
) -> None:
    services.senders["wechat"] = ScriptedSender()
    await notify(services, await consumer(services, "o11"), "slow")
    lease = timedelta(seconds=services.settings.outbox_lease_seconds)
    async with services.database.transaction() as session:
        [late] = await outbox.claim_due(session=session, now=clock.now, lease=lease)
    clock.advance(seconds=lease.total_seconds() + 1)
    await worker.deliver_due(services)  # another worker takes over and delivers
    async with services.database.transaction() as session:
        status = await outbox.record_outcome(
            session=session,
            claimed=late,
            outcome=RetryLater("timeout after a long stall"),
            now=clock.now,
            max_attempts=8,
        )
    assert status == "sent"
    assert await statuses(services) == [("sent", None)]
    # ...and a late success still counts when the takeover failed.
    await notify(services, await consumer(services, "o12"), "slow too")
    async with services.database.transaction() as session:
        [late] = await outbox.claim_due(session=session, now=clock.now, lease=lease)
    clock.advance(seconds=lease.total_seconds() + 1)
    services.senders["wechat"] = ScriptedSender(script=[RetryLater("timeout")])
    await worker.deliver_due(services)
    async with services.database.transaction() as session:
        await outbox.record_outcome(
            session=session,
            claimed=late,
            outcome=Delivered(via="custom"),
            now=clock.now,
            max_attempts=8,
        )
    assert (await statuses(services))[1] == ("sent", "timeout")
