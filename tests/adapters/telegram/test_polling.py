"""Long polling: the same complaint as through the webhook, with the offset kept."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.telegram.polling import POLLER, POLLER_LEASE
from bots.delivery import background
from bots.settings import Settings
from storage.leases import DatabaseLeases
from storage.models import Complaint, PlatformToken, ProcessedMessage
from tests.fakes.telegram_api import FakeTelegram

from . import updates

SCRIPT = [
    "hi",
    "1",
    "1",
    "1",
    "no",
    "Suning Electronics",
    "skip",
    "skip",
    "2026-11-18",
    "3999",
    "The fridge stopped cooling two days after delivery.",
    "1",
    "skip",
    "Li Lei",
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No webhook URL: the channel long-polls."""
    settings.telegram_webhook_url = None
    return settings


def polling(services: Any) -> Any:
    """The Telegram channel's long-polling loop (the one loop it gives without a webhook)."""
    [loop] = services.channels["telegram"].loops()
    return loop


def run(services: Any, stop: asyncio.Event) -> asyncio.Task[None]:
    """The polling loop as ``weiquan serve`` runs it."""
    return asyncio.create_task(background.run_channel_loop(polling(services), stop))


async def test_a_complaint_through_polling(services: Any, fake: FakeTelegram) -> None:
    poller = services.channels["telegram"].poller
    batch = [updates.text(9, text) for text in SCRIPT]
    batch += [updates.contact(9, "13812345678"), updates.text(9, "yes"), updates.text(9, "1")]
    fake.updates.extend(batch)
    applied = 0
    while applied < len(batch):  # a batch is applied in order, one update at a time
        applied += await poller.poll_once(wait_seconds=0)
    assert await poller.load_offset() == batch[-1]["update_id"] + 1
    assert await poller.poll_once(wait_seconds=0) == 0  # nothing replayed
    async with services.database.sessions() as session:
        complaint = (await session.scalars(select(Complaint))).one()
        seen = await session.scalar(select(func.count()).select_from(ProcessedMessage))
    assert seen == len(batch)
    assert re.search(complaint.number, " ".join(fake.sent_texts(9)))


async def test_the_polling_loop_runs_without_a_webhook_and_stops(
    services: Any, fake: FakeTelegram
) -> None:
    fake.updates.append(updates.text(10, "hi"))
    stop = asyncio.Event()
    tasks = background.start(services, stop)
    for _ in range(100):
        if fake.sent_texts(10):
            break
        await asyncio.sleep(0.05)
    stop.set()
    _, pending = await asyncio.wait(tasks, timeout=5)
    assert not pending
    assert fake.sent_texts(10)
    assert fake.calls_to("deleteWebhook")


async def test_one_process_polls_at_a_time(services: Any) -> None:
    from datetime import UTC, datetime, timedelta

    leases = DatabaseLeases(services.database)

    async def hold(holder: str) -> bool:
        return await leases.hold(POLLER, holder, ttl=POLLER_LEASE)

    assert await hold("host-a:1")
    assert await hold("host-a:1")  # renewing is fine
    assert not await hold("host-b:2")
    async with services.database.transaction() as session:
        row = await session.get_one(PlatformToken, POLLER)
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)  # host-a stopped renewing
    assert await hold("host-b:2")
    assert not await hold("host-a:1")
    await leases.release(POLLER, "host-a:1")  # not the holder: changes nothing
    assert not await hold("host-a:1")
    await leases.release(POLLER, "host-b:2")
    assert await hold("host-a:1")


async def test_the_polling_lease_is_taken_at_once_by_concurrent_processes(
    services: Any,
) -> None:
    """First takers race for a row that does not exist yet: exactly one wins."""
    leases = [DatabaseLeases(services.database) for _ in range(5)]
    won = await asyncio.gather(*(
        lease.hold(POLLER, f"host-{n}:1", ttl=POLLER_LEASE) for n, lease in enumerate(leases)
    ))
    assert sorted(won) == [False] * 4 + [True]


async def test_a_restarted_process_polls_at_once(services: Any, fake: FakeTelegram) -> None:
    """The stopping process gives the lease up: its successor need not wait 90 s."""
    import time

    from bots.services import Services


    async def first_poll_after(began: float, seconds: float) -> float:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(c.at >= began for c in fake.calls_to("getUpdates")):
                return time.monotonic() - began
            await asyncio.sleep(0.02)
        raise AssertionError(f"no getUpdates within {seconds} s")

    stop = asyncio.Event()
    before = run(services, stop)
    await first_poll_after(time.monotonic(), 10)
    stop.set()
    await asyncio.wait_for(before, timeout=5)

    restarted = Services.build(services.settings)  # another process: another lease holder
    stop_again = asyncio.Event()
    began = time.monotonic()
    after = run(restarted, stop_again)
    try:
        took = await first_poll_after(began, 5)
        assert took < 3
        print(f"first getUpdates {took:.2f} s after the restart")
    finally:
        stop_again.set()
        await asyncio.wait_for(after, timeout=5)
        await restarted.close()


async def test_the_lease_is_given_up_when_the_loop_is_cancelled(services: Any) -> None:
    """At shutdown the app cancels its loops right after stopping them."""
    stop = asyncio.Event()
    task = run(services, stop)
    for _ in range(200):
        async with services.database.sessions() as session:
            row = await session.get(PlatformToken, POLLER)
            if row is not None and row.value is not None:
                break
        await asyncio.sleep(0.02)
    stop.set()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    leases = DatabaseLeases(services.database)
    assert await leases.hold(POLLER, "the-next-process", ttl=POLLER_LEASE)
