"""Throughput and latency: the baseline and Weiquan in alternating windows, same PostgreSQL.

Usage: ``python -m bench.load [--only sqlite|pg1|pg2 …] [--protocol web|wechat|wechat-safe|
telegram …] [--concurrency 32 --concurrency 64] [--pairs 3] [--window 10] [--consumers N]``

For each setup and protocol it starts a minimal FastAPI + asyncpg baseline doing only
the irreducible work of a message (bench/baseline.py, its own database) and
``weiquan serve`` (SQLite, 1 process; PostgreSQL with 1 or 2 uvicorn workers) side by
side, then loads them in turns — baseline, Weiquan, baseline, Weiquan … — so both see
the same machine in each pair. Every window prints messages per second, p50/p99, errors
(a conversation that did not file its complaint, counted in the database, is one) and
the CPU a message cost the server's processes, its PostgreSQL backends and this
process (the load generator, one asyncio process); each pair prints Weiquan's rate
divided by the baseline's, and the median of the pairs closes the run. SQLite runs
Weiquan's windows only. ``--consumers N`` makes each window N conversations instead of
``--window`` seconds. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import asyncpg

from bench import cpu, report
from bench.common import PG_ADMIN, postgres_database, weiquan_server
from bench.protocols import PROTOCOLS
from bench.script import COMPLAINT_LINES
from bench.servers import baseline_server, channel_env
from bench.windows import Window, run_window

SETUPS = ("sqlite", "pg1", "pg2")


@dataclass
class Target:
    """One server under load: where it listens, its processes, its database."""

    name: str
    base: str
    pids: set[int]
    database: str  # the PostgreSQL database name, "" on SQLite
    complaints: Callable[[], Awaitable[int]] | None = None


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _sqlite_count(url: str) -> Callable[[], Awaitable[int]]:
    import sqlite3

    path = url.split("///", 1)[1]

    async def count() -> int:
        with sqlite3.connect(path) as conn:
            return int(conn.execute("SELECT count(*) FROM complaints").fetchone()[0])

    return count


async def _windows(
    targets: list[Target], protocol: str, concurrency: int, args: argparse.Namespace
) -> list[Window]:
    """Warm each target up, then run ``args.pairs`` rounds of one window per target."""
    admin = await asyncpg.connect(PG_ADMIN)
    counters = {}
    try:
        for target in targets:
            if target.database:
                counters[target.name] = await asyncpg.connect(
                    PG_ADMIN.rsplit("/", 1)[0] + "/" + target.database
                )

        def backends(target: Target) -> Callable[[], Awaitable[Collection[int]]]:
            async def pids() -> Collection[int]:
                if not target.database:
                    return ()
                rows = await admin.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE datname = $1", target.database
                )
                return {row["pid"] for row in rows} - {counter_pid(target)}

            return pids

        def counter_pid(target: Target) -> int:
            conn = counters.get(target.name)
            return conn.get_server_pid() if conn is not None else -1

        async def complaints(target: Target) -> int:
            if target.name == "baseline":
                return 0
            if target.database:
                return int(await counters[target.name].fetchval("SELECT count(*) FROM complaints"))
            assert target.complaints is not None
            return await target.complaints()

        windows: list[Window] = []
        for round_ in range(-1, args.pairs):
            for target in targets:
                proto = PROTOCOLS["baseline" if target.name == "baseline" else protocol]
                url = urlparse(target.base)
                before = await complaints(target)
                window = await run_window(
                    target.name, url.hostname or "127.0.0.1", url.port or 80, proto,
                    concurrency=concurrency, tag=f"{protocol[:2]}{round_ + 1}{time.time_ns()}",
                    server_pids=target.pids, postgres_pids=backends(target),
                    seconds=None if args.consumers else (
                        args.warmup if round_ < 0 else args.window
                    ),
                    consumers=args.consumers,
                )  # fmt: skip
                if target.name != "baseline":
                    filed = await complaints(target) - before
                    window.figures.errors += window.conversations - filed
                if round_ >= 0:  # round -1 warms the servers up (pools, caches)
                    windows.append(window)
                    print(report.window_line(round_ + 1, window), flush=True)
                    if target.name == "weiquan" and len(targets) == 2:
                        print(report.pair_line(round_ + 1, windows[-2], window), flush=True)
        return windows
    finally:
        await admin.close()
        for conn in counters.values():
            await conn.close()


@contextmanager
def _servers(setup: str, protocol: str, work: Path) -> Iterator[list[Target]]:
    """The baseline (PostgreSQL setups) and Weiquan, running until the block ends."""
    workers = 2 if setup == "pg2" else 1
    with ExitStack() as stack:
        env = stack.enter_context(channel_env(protocol))
        targets = []
        if setup == "sqlite":
            url = f"sqlite+aiosqlite:///{work}/weiquan.db"
            base, _ = stack.enter_context(weiquan_server(url, work, workers=1, env=env))
            targets.append(Target("weiquan", base, set(), "", _sqlite_count(url)))
        else:
            base_url = stack.enter_context(postgres_database("bench_load"))
            base, _ = stack.enter_context(baseline_server(base_url, workers))
            targets.append(Target("baseline", base, set(), base_url.rsplit("/", 1)[1]))
            url = stack.enter_context(postgres_database("bench_load"))
            base, _ = stack.enter_context(weiquan_server(url, work, workers=workers, env=env))
            targets.append(Target("weiquan", base, set(), url.rsplit("/", 1)[1]))
        yield targets


def _pids_of(targets: list[Target]) -> None:
    # The servers' process trees, once they are up (uvicorn's workers included).
    for target in targets:
        port = urlparse(target.base).port
        target.pids = cpu.descendants(_listener_root(port))


def _listener_root(port: int | None) -> int:
    """The process serving ``port``: the one whose command line names it."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                argv = file.read().split(b"\0")
        except OSError:
            continue
        if b"--port" in argv and argv[argv.index(b"--port") + 1] == str(port).encode():
            return int(entry)
    raise RuntimeError(f"no process started with --port {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=SETUPS, action="append")
    parser.add_argument("--protocol", choices=sorted(p for p in PROTOCOLS if p != "baseline"),
                        action="append")  # fmt: skip
    parser.add_argument("--concurrency", type=int, action="append")
    parser.add_argument("--pairs", type=int, default=3, help="rounds of windows (default 3)")
    parser.add_argument("--window", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds (default 3)")
    parser.add_argument("--consumers", type=int, help="conversations per window instead")
    args = parser.parse_args()
    concurrencies = args.concurrency or [32]
    size = f"{args.consumers} conversations" if args.consumers else f"{args.window:g} s"
    print(
        f"windows of {size}, {args.pairs} pairs, {len(COMPLAINT_LINES)} messages a "
        f"conversation, {os.cpu_count()} cores", flush=True
    )  # fmt: skip
    results: dict[str, Any] = {}
    runner = asyncio.Runner(loop_factory=_loop_factory())
    with tempfile.TemporaryDirectory() as tmp, runner:
        for setup in args.only or list(SETUPS):
            for protocol in args.protocol or ["web"]:
                work = Path(tmp) / f"{setup}-{protocol}"
                with _servers(setup, protocol, work) as targets:
                    _pids_of(targets)
                    for concurrency in concurrencies:
                        print(f"\n{setup} {protocol}, {concurrency} at once", flush=True)
                        windows = runner.run(_windows(targets, protocol, concurrency, args))
                        summary = report.summary(windows)
                        print(report.summary_lines(summary), flush=True)
                        results[f"{setup}/{protocol}/{concurrency}"] = summary
    print(json.dumps(results))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - installed with the server
        return None
    return uvloop.new_event_loop


if __name__ == "__main__":
    main()
