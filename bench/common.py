"""Shared pieces of the benchmarks: servers as subprocesses, databases, figures."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PG_ADMIN = os.environ.get("WEIQUAN_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


# Channels the benchmark server has on (credentials match bench/protocols.py). WeChat
# runs in plain mode; safe mode adds SAFE_MODE_ENV (with a key, plaintext is refused).
BENCH_ENV = {
    "WEIQUAN_WECHAT_TOKEN": "benchtoken",
    "WEIQUAN_WECHAT_APP_ID": "wxbench0000000001",
}
SAFE_MODE_ENV = {"WEIQUAN_WECHAT_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def postgres_database(prefix: str = "weiquan_bench") -> Iterator[str]:
    """A fresh PostgreSQL database for one benchmark run; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            + "/"
            + name
        )
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def weiquan_server(
    database_url: str, workdir: Path, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``weiquan serve`` in its own process(es); yields the base URL and the process."""
    port = free_port()
    full_env = {
        **os.environ,
        "WEIQUAN_DATABASE_URL": database_url,
        "WEIQUAN_VAR_DIR": str(workdir / "var"),
        "WEIQUAN_EVIDENCE_DIR": str(workdir / "evidence"),
        "WEIQUAN_SECRET_KEY": "bench-secret-bench-secret-bench-secret",
        "WEIQUAN_LOG_LEVEL": "WARNING",
        **BENCH_ENV,
        **(env or {}),
    }
    if not database_url.startswith("sqlite"):
        subprocess.run(
            [sys.executable, "-m", "bots.cli", "db", "upgrade"],
            env=full_env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bots.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-worker",
        ],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=server_log(workdir),
    )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    try:
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def server_log(workdir: Path) -> Any:
    """Where a server's stderr goes: an unread pipe would fill up and stall the server."""
    workdir.mkdir(parents=True, exist_ok=True)
    return (workdir / "server.log").open("ab")


def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see its server.log")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become healthy")


@dataclass
class Figures:
    """Latencies (seconds) and counts of one load run."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self, label: str) -> str:
        return (
            f"{label:<34} {self.rate:8.0f} msg/s  p50 {self.percentile(50) * 1000:6.1f} ms  "
            f"p95 {self.percentile(95) * 1000:6.1f} ms  p99 {self.percentile(99) * 1000:6.1f} ms  "
            f"errors {self.errors}  n={len(self.latencies)}"
        )

    def merge(self, other: Figures) -> None:
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        self.seconds = max(self.seconds, other.seconds)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
