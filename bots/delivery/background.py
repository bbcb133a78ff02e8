"""Background loops that run inside ``weiquan serve`` (and alone in ``weiquan worker``)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, timedelta
from typing import Any

from adapters.base import ChannelLoop
from bots.ops.outage import Outage
from bots.services import Services
from dialogs.clock import local_date
from storage import conversations, erasure, retention

log = logging.getLogger("weiquan.background")

#: Cases anonymised per retention transaction (storage.retention.anonymise_expired).
RETENTION_BATCH = 200
Loop = Callable[[Services, asyncio.Event], Coroutine[Any, Any, None]]
LOOPS: list[Loop] = []

# Modules whose import registers more loops (the outbox worker, evidence downloads…).
# Each adds its name here. Channels give their own loops (Telegram polling).
LOOP_MODULES: tuple[str, ...] = ("bots.delivery.worker",)
# After a failed step of a channel's loop.
CHANNEL_RETRY_SECONDS = 5.0
# At stop, what a channel's loop holds (a lease) is given up within this.
CHANNEL_FINISH_SECONDS = 5.0


def register(loop: Loop) -> Loop:
    """Add a loop that every serving or worker process runs."""
    LOOPS.append(loop)
    return loop


def start(services: Services, stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """Start every registered loop, and every loop the channels give, as a task."""
    for name in LOOP_MODULES:
        importlib.import_module(name)
    tasks = [asyncio.create_task(loop(services, stop)) for loop in LOOPS]
    for channel in services.channels.values():
        tasks += [asyncio.create_task(run_channel_loop(loop, stop)) for loop in channel.loops()]
    return tasks


async def run_channel_loop(loop: ChannelLoop, stop: asyncio.Event) -> None:
    """Run a channel's loop until stopped: its steps, failures as an outage, then its
    finish (also when cancelled at shutdown; a database that is down must not hold
    the shutdown up)."""
    outage = Outage(loop.name)
    try:
        while not stop.is_set():
            try:
                pause = await loop.step(stop)
                outage.recovered()
            except Exception as exc:
                outage.failed(exc)
                pause = CHANNEL_RETRY_SECONDS
            if pause > 0 and await sleep_or_stop(stop, pause):
                return
    finally:
        if loop.finish is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CHANNEL_FINISH_SECONDS):
                    await loop.finish()


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` or until stopped; True when stopped."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


@register
async def prune_dedupe_keys(services: Services, stop: asyncio.Event) -> None:
    """Forget dedupe keys older than a week, once an hour."""
    outage = Outage("pruning dedupe keys")
    while True:
        try:
            async with services.database.transaction() as session:
                removed = await conversations.prune_processed(
                    session=session, older_than=datetime.now(UTC) - timedelta(days=7)
                )
            if removed:
                log.info("pruned dedupe keys", extra={"removed": removed})
            outage.recovered()
        except Exception as exc:
            outage.failed(exc)
        if await sleep_or_stop(stop, 3600):
            return


async def privacy_upkeep_once(services: Services, last_day: date | None = None) -> date:
    """One round of privacy upkeep; returns the local day the retention pass last ran.

    Once per local day, closed cases past ``WEIQUAN_RETENTION_YEARS`` are anonymised
    (legal holds skipped), in batches of short transactions. Every round, evidence
    files that erasures left without a row are deleted from the blob store — after the
    erasing transaction committed, so a rollback never loses a file still in use.
    """
    now = services.now()
    today = local_date(now)
    if today != last_day:
        while True:
            async with services.database.transaction() as session:
                done = await retention.anonymise_expired(
                    session=session, now=now, years=services.settings.retention_years,
                    limit=RETENTION_BATCH,
                )
            if done:
                log.info("retention anonymised cases", extra={"count": len(done)})
            if len(done) < RETENTION_BATCH:
                break
    async with services.database.transaction() as session:
        removed = await erasure.purge_blobs(session=session, blobs=services.blobs)
    if removed:
        log.info("erased evidence files deleted", extra={"count": removed})
    return today


@register
async def privacy_upkeep(services: Services, stop: asyncio.Event) -> None:
    """Retention once a day, erased evidence files every minute."""
    outage = Outage("privacy upkeep")
    last_day: date | None = None
    while True:
        try:
            last_day = await privacy_upkeep_once(services, last_day)
            outage.recovered()
        except Exception as exc:
            outage.failed(exc)
        if await sleep_or_stop(stop, 60):
            return
