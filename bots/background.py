"""Background loops that run inside ``weiquan serve`` (and alone in ``weiquan worker``)."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from bots.outage import Outage
from bots.services import Services
from storage import conversations

log = logging.getLogger("weiquan.background")

Loop = Callable[[Services, asyncio.Event], Coroutine[Any, Any, None]]
LOOPS: list[Loop] = []

# Modules whose import registers more loops (the outbox worker, evidence downloads,
# Telegram polling…). Each adds its name here.
LOOP_MODULES: tuple[str, ...] = ("bots.worker", "adapters.telegram.polling")


def register(loop: Loop) -> Loop:
    """Add a loop that every serving or worker process runs."""
    LOOPS.append(loop)
    return loop


def start(services: Services, stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """Start every registered loop as a task."""
    for name in LOOP_MODULES:
        importlib.import_module(name)
    return [asyncio.create_task(loop(services, stop)) for loop in LOOPS]


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
