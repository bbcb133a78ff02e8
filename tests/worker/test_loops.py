"""The worker loops: started by bots.background, shared by two workers, never crashing."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import func, select

from bots import background, worker
from bots.services import Services
from bots.settings import Settings
from dialogs.events import Reply
from storage import conversations, outbox
from storage.db import Database
from storage.models import Identity, OutboxNotice
from tests.conftest import empty

from .channel import ScriptedSender
from .helpers import consumer, notify, statuses


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 30.0) -> None:
    """Wait for an async condition to hold."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_the_loops_deliver_keep_going_after_errors_and_stop_when_asked(
    services: Services,
) -> None:
    services.settings.worker_poll_seconds = 0.02
    sender = ScriptedSender(script=[RuntimeError("library bug")])
    services.senders["wechat"] = sender
    stop = asyncio.Event()
    tasks = background.start(services, stop)
    try:
        assert {t.get_coro().__name__ for t in tasks} >= {  # type: ignore[union-attr]
            "deliver_notices",
            "download_evidence",
        }
        await notify(services, await consumer(services, "l1"), "crashes the sender")
        await notify(services, await consumer(services, "l2"), "goes out")

        async def delivered() -> bool:
            # The two notices go out concurrently: the crash is recorded in its own
            # transaction, which may commit after the other notice was sent.
            retried = ("retrying", "unexpected error: RuntimeError") in await statuses(services)
            return ("l2", "goes out") in sender.sent and retried

        await until(delivered)
    finally:
        stop.set()
        began = time.monotonic()
        _, pending = await asyncio.wait(tasks, timeout=5)
    assert not pending and time.monotonic() - began < 4
    assert all(t.exception() is None for t in tasks)


async def test_two_worker_loops_never_send_a_notice_twice(
    postgres_url: str, tmp_path: Path
) -> None:
    database = Database(postgres_url)
    await empty(database)
    settings = Settings(
        database_url=postgres_url,
        var_dir=tmp_path,
        evidence_dir=tmp_path / "e",
        secret_key="two-workers-two-workers-two",
        run_worker=False,
        worker_poll_seconds=0.01,
        outbox_batch_size=10,
        _env_file=None,
    )  # type: ignore[call-arg]
    workers = [Services.build(settings) for _ in range(2)]
    shared: list[tuple[str, str]] = []  # every send, in the order it happened
    senders = [ScriptedSender(sent=shared, delay=0.002) for _ in workers]
    for services, sender in zip(workers, senders, strict=True):
        services.senders["wechat"] = sender
    stop = asyncio.Event()
    try:
        async with database.begin() as conn:
            for i in range(50):
                await conversations.lock(
                    conn, platform="wechat", external_id=f"c{i}", language="en"
                )
        async with database.transaction() as session:
            for n in range(4):
                for who in (await session.scalars(select(Identity))).all():
                    await outbox.enqueue(
                        session=session,
                        identity=who,
                        replies=[Reply(f"{who.external_id}:{n}")],
                        now=workers[0].now(),
                    )
        loops = [asyncio.create_task(worker.deliver_notices(s, stop)) for s in workers]

        async def all_sent() -> bool:
            async with database.sessions() as session:
                left = await session.scalar(
                    select(func.count())
                    .select_from(OutboxNotice)
                    .where(OutboxNotice.status != "sent")
                )
            return left == 0

        await until(all_sent, seconds=60)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*loops), timeout=5)
        sent = Counter(text for _, text in shared)
        assert len(sent) == 200 and set(sent.values()) == {1}
        assert all(s.tried for s in senders)  # both took part (shares vary with load)
        for user in {u for u, _ in shared}:  # each consumer's notices in the order written
            mine = [int(t.split(":")[1]) for u, t in shared if u == user]
            assert mine == [0, 1, 2, 3]
    finally:
        stop.set()
        for services in workers:
            await services.close()
        await database.dispose()
