"""The processes a load run starts besides ``weiquan serve``: the baseline, the fake Bot API.

Each is a context manager that stops its process when the block ends, so a benchmark
never leaves a server running.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from bench.common import SAFE_MODE_ENV, free_port, wait_healthy
from bench.protocols import TELEGRAM_SECRET


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def _baseline_schema(dsn: str) -> None:
    from bench.baseline import SCHEMA

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()


@contextmanager
def baseline_server(pg_url: str, workers: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The minimal endpoint (bench/baseline.py) on its own database; yields URL, process."""
    port = free_port()
    dsn = pg_url.replace("postgresql+asyncpg://", "postgresql://")
    asyncio.run(_baseline_schema(dsn))
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "bench.baseline:app", "--port", str(port),
            "--workers", str(workers), "--log-level", "warning", "--no-access-log",
        ],
        env={**os.environ, "BASELINE_DSN": dsn},
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        yield base, proc
    finally:
        _stop(proc)


@contextmanager
def fake_bot_api() -> Iterator[str]:
    """bench/fake_bot_api.py in its own process; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.fake_bot_api", "--port", str(port)],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the fake Bot API did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


@contextmanager
def channel_env(protocol: str) -> Iterator[dict[str, str]]:
    """Server settings a protocol needs; Telegram also gets a fake Bot API to answer on."""
    if protocol == "wechat-safe":
        yield SAFE_MODE_ENV
        return
    if protocol != "telegram":
        yield {}
        return
    with fake_bot_api() as base:
        yield {
            "WEIQUAN_TELEGRAM_TOKEN": "123456:BENCH-token",
            "WEIQUAN_TELEGRAM_API_BASE_URL": base,
            "WEIQUAN_TELEGRAM_WEBHOOK_URL": "https://example.invalid/hook",
            "WEIQUAN_TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            # Measure the webhook, not Telegram's 30/s: the bot may send 1,000/s (paid).
            "WEIQUAN_TELEGRAM_MESSAGES_PER_SECOND": "1000",
        }
