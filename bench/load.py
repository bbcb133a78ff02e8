"""Throughput and latency: complete intake conversations against ``weiquan serve``.

Usage: ``python -m bench.load [--consumers 400] [--concurrency 64] [--only sqlite|pg1|pg2]
[--protocol web|wechat|wechat-safe|telegram]``

For each setup it starts the server (SQLite, 1 process; PostgreSQL with 1 and 2
uvicorn workers) and a minimal FastAPI + asyncpg baseline doing only the irreducible
work of a message, replays conversations from a separate load-generator process, and
prints messages per second, p50/p95/p99 latency, errors and the ratio to the baseline.
Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import asyncpg

from bench.common import (
    SAFE_MODE_ENV,
    Figures,
    free_port,
    postgres_database,
    wait_healthy,
    weiquan_server,
)
from bench.http import Connection, CookieJar
from bench.protocols import PROTOCOLS, TELEGRAM_SECRET, Protocol
from bench.script import COMPLAINT_LINES


async def _consumer(conn: Connection, proto: Protocol, user: str, figures: Figures) -> None:
    # Each simulated consumer is one browser: the web chat's identity cookie stays with it.
    jar = CookieJar()
    for n, line in enumerate(COMPLAINT_LINES):
        method, path, body, headers = proto.encode(user, n, line)
        started = time.perf_counter()
        try:
            status, data = await conn.request(method, path, body, headers, jar)
        except Exception:
            figures.errors += 1
            return
        figures.latencies.append(time.perf_counter() - started)
        if status != 200 or not proto.ok(data):
            figures.errors += 1


async def _generate(
    base: str, proto_name: str, consumers: int, concurrency: int, tag: str
) -> Figures:
    url = urlparse(base)
    proto = PROTOCOLS[proto_name]
    figures = Figures()
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(consumers):
        queue.put_nowait(f"{tag}-{i}")

    async def worker() -> None:
        conn = Connection(url.hostname or "127.0.0.1", url.port or 80)
        try:
            while not queue.empty():
                await _consumer(conn, proto, queue.get_nowait(), figures)
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    figures.seconds = time.perf_counter() - started
    return figures


def _generator_process(args: tuple[str, str, int, int, str], out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    figures = asyncio.run(_generate(*args))
    out.put((figures.latencies, figures.errors, figures.seconds))


def run_load(base: str, proto: str, consumers: int, concurrency: int) -> Figures:
    """Run the load generator in its own process (so it does not share our GIL)."""
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    tag = f"{proto}{int(time.time() * 1000) % 10**8}"
    proc = ctx.Process(
        target=_generator_process, args=((base, proto, consumers, concurrency, tag), out)
    )
    proc.start()
    latencies, errors, seconds = out.get(timeout=1800)
    proc.join()
    return Figures(latencies=latencies, errors=errors, seconds=seconds)


def run_baseline(pg_url: str, workers: int, consumers: int, concurrency: int) -> Figures:
    """The minimal endpoint (bench/baseline.py) under the same load."""
    port = free_port()
    dsn = pg_url.replace("postgresql+asyncpg://", "postgresql://")
    asyncio.run(_baseline_schema(dsn))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.baseline:app",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env={**os.environ, "BASELINE_DSN": dsn},
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        return run_load(base, "baseline", consumers, concurrency)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


async def _baseline_schema(dsn: str) -> None:
    from bench.baseline import SCHEMA

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()


def complaints_filed(url: str) -> int:
    """Complaints in the database: every replayed conversation must have filed one."""
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.split("///", 1)[1]) as conn:
            return int(conn.execute("SELECT count(*) FROM complaints").fetchone()[0])

    async def count() -> int:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return int(await conn.fetchval("SELECT count(*) FROM complaints"))
        finally:
            await conn.close()

    return asyncio.run(count())


@contextmanager
def channel_env(protocol: str) -> Iterator[dict[str, str]]:
    """Server settings a protocol needs; Telegram also gets a fake Bot API to answer on."""
    if protocol == "wechat-safe":
        yield SAFE_MODE_ENV
        return
    if protocol != "telegram":
        yield {}
        return
    from tests.fakes.telegram_api import FakeTelegram
    from tests.support.server import serve_in_thread

    fake = FakeTelegram()
    with serve_in_thread(fake.app(), lifespan="off") as base:
        yield {
            "WEIQUAN_TELEGRAM_TOKEN": fake.token,
            "WEIQUAN_TELEGRAM_API_BASE_URL": base,
            "WEIQUAN_TELEGRAM_WEBHOOK_URL": "https://example.invalid/hook",
            "WEIQUAN_TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            # Measure the webhook, not Telegram's 30/s: the bot may send 1,000/s (paid).
            "WEIQUAN_TELEGRAM_MESSAGES_PER_SECOND": "1000",
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--consumers", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument(
        "--protocol", default="web", choices=sorted(p for p in PROTOCOLS if p != "baseline")
    )
    parser.add_argument("--only", choices=["sqlite", "pg1", "pg2"], action="append")
    args = parser.parse_args()
    setups = args.only or ["sqlite", "pg1", "pg2"]
    per = len(COMPLAINT_LINES)
    print(
        f"{args.consumers} consumers x {per} messages, {args.concurrency} at once, "
        f"protocol {args.protocol}, {os.cpu_count()} cores"
    )
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, channel_env(args.protocol) as env:
        for setup in setups:
            work = Path(tmp) / setup
            if setup == "sqlite":
                url = f"sqlite+aiosqlite:///{work}/weiquan.db"
                with weiquan_server(url, work, workers=1, env=env) as (base, _):
                    figures = run_load(base, args.protocol, args.consumers, args.concurrency)
                figures.errors += args.consumers - complaints_filed(url)
                print(figures.line("weiquan SQLite, 1 process"))
                results[setup] = {"rate": figures.rate, "p99_ms": figures.percentile(99) * 1000}
                continue
            workers = 1 if setup == "pg1" else 2
            with postgres_database() as url:
                baseline = run_baseline(url, workers, args.consumers, args.concurrency)
                print(baseline.line(f"baseline PostgreSQL, {workers} worker(s)"))
                with weiquan_server(url, work, workers=workers, env=env) as (base, _):
                    figures = run_load(base, args.protocol, args.consumers, args.concurrency)
                figures.errors += args.consumers - complaints_filed(url)
                print(figures.line(f"weiquan PostgreSQL, {workers} worker(s)"))
                ratio = figures.rate / baseline.rate if baseline.rate else float("nan")
                print(f"{'':<34} ratio to baseline {ratio:.2f}")
                results[setup] = {
                    "rate": figures.rate,
                    "p99_ms": figures.percentile(99) * 1000,
                    "baseline_rate": baseline.rate,
                    "ratio": ratio,
                    "errors": figures.errors,
                }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
