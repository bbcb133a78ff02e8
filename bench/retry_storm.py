"""Retry storm: every WeChat message delivered four times, two of them at once.

Usage: ``python -m bench.retry_storm [--consumers 200] [--rate 300]``

WeChat retries a webhook when it has no answer within 5 s, even while the first try is
still running. This replays complete conversations where each message arrives twice
concurrently and then twice more, paced at ``--rate`` deliveries per second, against
``weiquan serve`` on PostgreSQL with 2 workers, and checks that nothing was applied
twice: every copy got the same reply, every conversation advanced exactly once per
distinct message, and every consumer filed exactly one complaint.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import asyncpg

from bench.common import postgres_database, weiquan_server
from bench.http import Connection
from bench.protocols import WeChat
from bench.script import COMPLAINT_LINES

CONTENT = re.compile(rb"<Content><!\[CDATA\[(.*?)\]\]></Content>", re.S)


class Pacer:
    """Spaces deliveries ``1/rate`` seconds apart across all consumers."""

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate
        self.next = time.monotonic()

    async def wait(self) -> None:
        now = time.monotonic()
        self.next = max(self.next + self.interval, now)
        if self.next > now:
            await asyncio.sleep(self.next - now)


async def storm(base: str, consumers: int, rate: float) -> tuple[int, int, float]:
    url = urlparse(base)
    proto = WeChat(safe=False)
    pacer = Pacer(rate)
    mismatches = 0
    deliveries = 0
    started = time.perf_counter()

    async def send(conn: Connection, request: tuple[str, str, bytes, dict[str, str]]) -> bytes:
        nonlocal deliveries
        await pacer.wait()
        method, path, body, headers = request
        status, data = await conn.request(method, path, body, headers)
        deliveries += 1
        assert status == 200, (status, data[:200])
        match = CONTENT.search(data)
        return match.group(1) if match else data

    async def consumer(i: int) -> None:
        nonlocal mismatches
        conns = [Connection(url.hostname or "127.0.0.1", url.port or 80) for _ in range(2)]
        try:
            for n, line in enumerate(COMPLAINT_LINES):
                request = proto.encode(f"storm-{i}", n, line)
                pair = await asyncio.gather(send(conns[0], request), send(conns[1], request))
                later = [await send(conns[0], request), await send(conns[1], request)]
                if len({*pair, *later}) != 1:
                    mismatches += 1
        finally:
            for conn in conns:
                await conn.close()

    await asyncio.gather(*(consumer(i) for i in range(consumers)))
    return deliveries, mismatches, time.perf_counter() - started


async def verify(url: str, consumers: int) -> tuple[int, int]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        filed = int(await conn.fetchval("SELECT count(*) FROM complaints"))
        wrong = int(
            await conn.fetchval(
                "SELECT count(*) FROM conversations WHERE version <> $1", len(COMPLAINT_LINES)
            )
        )
    finally:
        await conn.close()
    return filed, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--consumers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as url:
        with weiquan_server(url, Path(tmp), workers=2) as (base, _):
            deliveries, mismatches, seconds = asyncio.run(storm(base, args.consumers, args.rate))
        filed, wrong = asyncio.run(verify(url, args.consumers))
    print(
        f"{deliveries} deliveries of {args.consumers * len(COMPLAINT_LINES)} messages "
        f"in {seconds:.1f} s ({deliveries / seconds:.0f}/s)"
    )
    print(f"copies answered differently: {mismatches}")
    print(
        f"complaints filed: {filed} of {args.consumers} (doubles: {max(0, filed - args.consumers)})"
    )
    print(f"conversations not advanced exactly once per message: {wrong}")
    ok = mismatches == 0 and filed == args.consumers and wrong == 0
    print("PASS" if ok else "FAIL")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
