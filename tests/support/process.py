"""Run ``weiquan serve`` (or ``worker``) as a real process and read its JSON log lines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.server import free_port


@dataclass
class Served:
    """A running command: its process, base URL and stderr file."""

    process: subprocess.Popen[bytes]
    base_url: str
    stderr: Path

    def lines(self) -> list[str]:
        """Every non-empty line the process (and its workers) wrote to stderr so far."""
        return [line for line in self.stderr.read_text().splitlines() if line.strip()]

    def records(self) -> list[dict[str, Any]]:
        """The stderr lines parsed as JSON (a line that is not JSON fails the test)."""
        return [json.loads(line) for line in self.lines()]

    def stop(self, timeout: float = 15.0) -> float:
        """SIGTERM, then wait; returns the seconds the process took to exit."""
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=timeout)
        return time.monotonic() - began


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment: SQLite under ``tmp_path``, no Telegram or WeChat unless given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("WEIQUAN_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(
        WEIQUAN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'weiquan.db'}",
        WEIQUAN_VAR_DIR=str(tmp_path / "var"),
        WEIQUAN_EVIDENCE_DIR=str(tmp_path / "evidence"),
        WEIQUAN_SECRET_KEY="process-test-secret-key-0123456789",
        WEIQUAN_LANGUAGE="en",
        **extra,
    )
    return env


@contextmanager
def serve(tmp_path: Path, *args: str, port: int | None = None, **env: str) -> Iterator[Served]:
    """``weiquan serve ARGS`` on ``port`` (a free one), until the block ends; waits for /healthz."""
    port = port or free_port()
    stderr = tmp_path / f"serve-{port}.log"
    with stderr.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bots.cli", "serve", "--port", str(port), *args],
            env=environment(tmp_path, **env),
            stdout=subprocess.DEVNULL,
            stderr=sink,
            # Its own process group: the workers go with it, even when it is killed.
            start_new_session=True,
        )
    served = Served(process, f"http://127.0.0.1:{port}", stderr)
    try:
        _wait_healthy(served)
        yield served
    finally:
        end_group(process)


def end_group(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM the process's group and wait; SIGKILL whatever is left of it after ``grace``.

    Killing only the parent of ``serve --workers N`` would leave its workers running.
    """
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=grace)


def _wait_healthy(served: Served, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError("serve exited:\n" + "\n".join(served.lines()[-20:]))
        try:
            if httpx.get(f"{served.base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not answer /healthz:\n" + "\n".join(served.lines()[-20:]))
