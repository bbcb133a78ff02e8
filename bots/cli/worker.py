"""``weiquan worker``: the background loops alone, until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bots.delivery import background
from bots.services import Services
from bots.settings import Settings

log = logging.getLogger("weiquan.worker")


async def run_worker(settings: Settings) -> None:
    """Run every registered background loop until the process is asked to stop."""
    services = Services.build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks = background.start(services, stop)
    log.info("worker started", extra={"loops": len(tasks)})
    try:
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await services.close()
        log.info("worker stopped")
