"""Long polling: the same complaint as through the webhook, with the offset kept."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlalchemy import func, select

from adapters.telegram.polling import load_offset, poll_once
from bots.delivery import background
from storage.models import Complaint, ProcessedMessage
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


async def test_a_complaint_through_polling(services: Any, fake: FakeTelegram) -> None:
    services.settings.telegram_webhook_url = None
    channel = services.channels["telegram"]
    batch = [updates.text(9, text) for text in SCRIPT]
    batch += [updates.contact(9, "13812345678"), updates.text(9, "yes"), updates.text(9, "1")]
    fake.updates.extend(batch)
    applied = 0
    while applied < len(batch):  # a batch is applied in order, one update at a time
        applied += await poll_once(services, channel, wait_seconds=0)
    assert await load_offset(services) == batch[-1]["update_id"] + 1
    assert await poll_once(services, channel, wait_seconds=0) == 0  # nothing replayed
    async with services.database.sessions() as session:
        complaint = (await session.scalars(select(Complaint))).one()
        seen = await session.scalar(select(func.count()).select_from(ProcessedMessage))
    assert seen == len(batch)
    assert re.search(complaint.number, " ".join(fake.sent_texts(9)))


async def test_the_polling_loop_runs_without_a_webhook_and_stops(
    services: Any, fake: FakeTelegram
) -> None:
    services.settings.telegram_webhook_url = None
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

    from adapters.telegram.polling import POLLER, hold_poller_lease
    from storage.models import PlatformToken

    assert await hold_poller_lease(services, "host-a:1")
    assert await hold_poller_lease(services, "host-a:1")  # renewing is fine
    assert not await hold_poller_lease(services, "host-b:2")
    async with services.database.transaction() as session:
        row = await session.get_one(PlatformToken, POLLER)
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)  # host-a stopped renewing
    assert await hold_poller_lease(services, "host-b:2")
    assert not await hold_poller_lease(services, "host-a:1")


async def test_a_restarted_process_polls_at_once(services: Any, fake: FakeTelegram) -> None:
    """The stopping process gives the lease up: its successor need not wait 90 s."""
    import time

    from adapters.telegram.polling import telegram_polling
    from bots.services import Services

    services.settings.telegram_webhook_url = None

    async def first_poll_after(began: float, seconds: float) -> float:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(c.at >= began for c in fake.calls_to("getUpdates")):
                return time.monotonic() - began
            await asyncio.sleep(0.02)
        raise AssertionError(f"no getUpdates within {seconds} s")

    stop = asyncio.Event()
    before = asyncio.create_task(telegram_polling(services, stop))
    await first_poll_after(time.monotonic(), 10)
    stop.set()
    await asyncio.wait_for(before, timeout=5)

    restarted = Services.build(services.settings)  # another process: another lease holder
    stop_again = asyncio.Event()
    began = time.monotonic()
    after = asyncio.create_task(telegram_polling(restarted, stop_again))
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
    from adapters.telegram.polling import POLLER, hold_poller_lease, telegram_polling
    from storage.models import PlatformToken

    services.settings.telegram_webhook_url = None
    stop = asyncio.Event()
    task = asyncio.create_task(telegram_polling(services, stop))
    for _ in range(200):
        async with services.database.sessions() as session:
            if await session.get(PlatformToken, POLLER) is not None:
                break
        await asyncio.sleep(0.02)
    stop.set()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await hold_poller_lease(services, "the-next-process")
