"""The worker loops: started by bots.delivery.background, shared by two workers, never crashing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bots.delivery import background, worker
from bots.services import Services
from bots.settings import Settings
from dialogs.replies import Reply
from storage import outbox
from storage.db import Database
from storage.models import Identity, OutboxNotice
from storage.turns import open_turn
from tests.conftest import Clock, empty

from .channel import ScriptedSender
from .helpers import consumer, notify, statuses


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 30.0) -> None:
    """Wait for an async condition to hold."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_the_loops_deliver_keep_going_after_errors_and_stop_when_asked(
    services: Services, clock: Clock
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

        async def crashed_and_other_sent() -> bool:
            crash = ("retrying", "unexpected error: RuntimeError")
            return len(sender.sent) == 1 and crash in await statuses(services)

        async def both_sent() -> bool:
            return {("l1", "crashes the sender"), ("l2", "goes out")} <= set(sender.sent)

        # Whichever notice is sent first crashes: the two claimers race for them.
        await until(crashed_and_other_sent)
        clock.advance(seconds=3)  # past the retry's backoff (at most 2 s)
        await until(both_sent)
        assert len(sender.tried) == 3
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
        for i in range(50):
            async with open_turn(database, workers[0].cipher) as held:
                await held.lock(
                    platform="wechat", external_id=f"c{i}", language="en", message_key="m"
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


@pytest.mark.parametrize("down", ["refuses connections", "hangs up"])
async def test_a_database_that_is_down_is_logged_once_and_backed_off(
    down: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """No traceback three times a second: one line per loop, fewer and fewer attempts."""
    attempts = 0

    async def refuse(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal attempts
        attempts += 1
        writer.close()  # a database that hangs up on every connection

    server = await asyncio.start_server(refuse, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    if down == "refuses connections":
        server.close()  # nothing listens on the port any more
        await server.wait_closed()
    settings = Settings(
        database_url=f"postgresql+asyncpg://weiquan@127.0.0.1:{port}/weiquan",
        var_dir=tmp_path,
        evidence_dir=tmp_path / "e",
        secret_key="database-down-database-down",
        run_worker=False,
        worker_poll_seconds=0.02,
        _env_file=None,
    )  # type: ignore[call-arg]
    services = Services.build(settings)
    stop = asyncio.Event()
    caplog.set_level(logging.INFO)
    tasks = background.start(services, stop)
    try:
        await asyncio.sleep(4)
    finally:
        stop.set()
        _, pending = await asyncio.wait(tasks, timeout=5)
        await services.close()
        server.close()
    assert not pending
    lines = [r for r in caplog.records if r.name.startswith("weiquan")]
    # One line each for the notices, the downloads, the pruning and the privacy upkeep;
    # no tracebacks.
    assert 2 <= len(lines) <= 4, [r.getMessage() for r in lines]
    assert all(r.exc_info is None and r.error for r in lines)  # type: ignore[attr-defined]
    if down == "hangs up":
        # At a 0.02 s poll, the loops would try ~600 times in 4 s; backing off, a few dozen.
        assert 3 <= attempts < 60, attempts
    print(f"database down for 4 s: {len(lines)} log lines, {attempts} connection attempts")
