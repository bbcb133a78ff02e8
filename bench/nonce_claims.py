"""The WeChat replay check's nonce claim: CPU per claim, many claims at once, in-process.

Usage: ``python -m bench.nonce_claims [--claims 3000] [--postgres]``

Each claim is a new (timestamp, nonce) pair, as every signed webhook brings; the figure
is this process's CPU time (user + system) divided by the claims.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid

from bench.common import postgres_database
from storage.db import Database
from storage.migrate import upgrade
from storage.seen_nonces import DatabaseNonces


async def _run(url: str, claims: int) -> tuple[float, float]:
    database = Database(url)
    nonces = DatabaseNonces(database)

    async def one() -> None:
        if not await nonces.claim(uuid.uuid4().hex, "d" * 64, ttl=300):
            raise AssertionError("a new pair was refused")

    for _ in range(200):  # warm the pool and the statement caches
        await one()
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one() for _ in range(claims)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await database.dispose()
    return cpu / claims * 1000, claims / wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=3000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as pg:
        url = pg if args.postgres else f"sqlite+aiosqlite:///{tmp}/nonces.db"
        upgrade(url)
        ms, rate = asyncio.run(_run(url, args.claims))
    where = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{where}: {ms:.3f} ms of CPU a claim, {rate:.0f} claims/s ({args.claims} at once)")


if __name__ == "__main__":
    main()
