"""Where the time of one message goes: cProfile over complete conversations in-process.

Usage: ``python -m bench.profile_message [--consumers 50] [--database URL]``
Prints the top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import pstats
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import postgres_database
from bench.script import COMPLAINT_LINES
from bots.services import Services
from bots.settings import Settings
from dialogs.events import TextMessage
from dialogs.vocabulary import Platform
from storage.migrate import upgrade


async def _run(url: str, consumers: int, work: Path) -> float:
    settings = Settings(
        database_url=url,
        var_dir=work,
        evidence_dir=work / "ev",
        secret_key="profile-secret-profile-secret",
        run_worker=False,
    )
    services = Services.build(settings)
    ids = itertools.count()
    started = time.perf_counter()

    async def consumer(i: int) -> None:
        for line in COMPLAINT_LINES:
            await services.engine.handle(
                TextMessage(
                    platform=Platform.WEB,
                    user_id=f"p{i}",
                    message_id=f"p{next(ids)}",
                    received_at=datetime.now(UTC),
                    language_hint="en",
                    text=line,
                )
            )

    await asyncio.gather(*(consumer(i) for i in range(consumers)))
    elapsed = time.perf_counter() - started
    await services.close()
    return consumers * len(COMPLAINT_LINES) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consumers", type=int, default=50)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as pg:
        url = f"sqlite+aiosqlite:///{tmp}/p.db" if args.sqlite else pg
        upgrade(url)
        profiler = cProfile.Profile()
        profiler.enable()
        rate = asyncio.run(_run(url, args.consumers, Path(tmp)))
        profiler.disable()
    print(f"in-process: {rate:.0f} messages/s (one process, profiler on)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
