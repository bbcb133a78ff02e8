"""Memory: a serve process's resident memory as distinct consumers pile up.

Usage: ``python -m bench.memory [--consumers 100000] [--messages 5] [--sqlite]``

Each consumer sends ``--messages`` messages of an intake conversation. The server's
RSS is read after the first 1,000 consumers and at the end; the target is growth of
at most 30 MB between the two.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from bench.bad_input import rss_kib
from bench.common import postgres_database, weiquan_server
from bench.http import Connection
from bench.protocols import WeChat
from bench.script import COMPLAINT_LINES


async def consumers(base: str, first: int, count: int, messages: int, concurrency: int) -> int:
    url = urlparse(base)
    proto = WeChat(safe=False)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(first, first + count):
        queue.put_nowait(i)
    errors = 0

    async def worker() -> None:
        nonlocal errors
        conn = Connection(url.hostname or "127.0.0.1", url.port or 80)
        try:
            while not queue.empty():
                user = f"mem-{queue.get_nowait()}"
                for n, line in enumerate(COMPLAINT_LINES[:messages]):
                    status, _ = await conn.request(*proto.encode(user, n, line))
                    errors += status != 200
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--consumers", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as pg:
        url = f"sqlite+aiosqlite:///{tmp}/mem.db" if args.sqlite else pg
        with weiquan_server(url, Path(tmp), workers=1) as (base, proc):
            errors = asyncio.run(consumers(base, 0, 1000, args.messages, 32))
            at_1k = rss_kib(proc.pid)
            print(f"after 1,000 consumers: {at_1k / 1024:.1f} MiB", flush=True)
            done = 1000
            while done < args.consumers:
                batch = min(10_000, args.consumers - done)
                errors += asyncio.run(consumers(base, done, batch, args.messages, 32))
                done += batch
                print(f"after {done:,} consumers: {rss_kib(proc.pid) / 1024:.1f} MiB", flush=True)
            at_end = rss_kib(proc.pid)
    growth = (at_end - at_1k) / 1024
    print(
        f"growth from 1,000 to {args.consumers:,} consumers: {growth:+.1f} MiB "
        f"(target at most +30 MiB); errors {errors}"
    )
    print("PASS" if growth <= 30 and errors == 0 else "FAIL")


if __name__ == "__main__":
    main()
