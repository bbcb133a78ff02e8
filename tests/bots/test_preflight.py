"""``weiquan serve`` / ``worker`` refuse bad configuration with one line and exit code 2.

Each test runs the real command line in a subprocess, as an operator would.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage.migrate import upgrade
from tests.conftest import PG_ADMIN_URL, _admin
from tests.support.server import free_port

GOOD_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


def _env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEIQUAN_")}
    env.update({
        "WEIQUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/w.db",
        "WEIQUAN_VAR_DIR": str(tmp_path / "var"),
        "WEIQUAN_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "WEIQUAN_SECRET_KEY": "preflight-preflight-preflight-01",
        "WEIQUAN_RUN_WORKER": "false",
    })
    env.update({f"WEIQUAN_{k.upper()}": v for k, v in overrides.items()})
    return env


def _run(tmp_path: Path, command: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "bots.cli", command]
    if command == "serve":
        args += ["--port", str(free_port())]
    return subprocess.run(args, env=_env(tmp_path, **overrides), cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("weiquan: ") and "Traceback" not in done.stderr
    return lines[0]


@pytest.mark.parametrize("key", [GOOD_KEY[:-1], GOOD_KEY + "A", GOOD_KEY[:-1] + "!",
                                 GOOD_KEY[:-1] + "="])
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_a_malformed_aes_key_stops_the_start(tmp_path: Path, key: str, command: str) -> None:
    done = _run(tmp_path, command, wechat_token="t", wechat_app_id="wx1", wechat_aes_key=key)
    line = _one_line(done)
    assert "WEIQUAN_WECHAT_AES_KEY" in line and "43" in line
    assert key not in done.stderr  # a secret is never printed


def test_an_aes_key_without_app_id_stops_the_start(tmp_path: Path) -> None:
    line = _one_line(_run(tmp_path, "serve", wechat_token="t", wechat_aes_key=GOOD_KEY))
    assert "WEIQUAN_WECHAT_APP_ID" in line


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_an_evidence_folder_that_cannot_be_written_stops_the_start(
    tmp_path: Path, command: str
) -> None:
    # Root may write anywhere; nobody can make a folder below a regular file.
    (tmp_path / "a-file").write_text("x")
    folder = tmp_path / "a-file" / "evidence"
    line = _one_line(_run(tmp_path, command, evidence_dir=str(folder)))
    assert f"WEIQUAN_EVIDENCE_DIR={folder}" in line and "cannot be written" in line


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """An empty PostgreSQL database of this test's own."""
    name = f"weiquan_preflight_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.postgres
def test_an_unmigrated_postgres_stops_serve_and_worker(
    tmp_path: Path, fresh_postgres: str
) -> None:
    for command in ("serve", "worker"):
        line = _one_line(_run(tmp_path, command, database_url=fresh_postgres))
        assert "not migrated" in line and "no revision" in line
        assert "weiquan db upgrade" in line
    upgrade(fresh_postgres, "0001")  # an older version's schema
    line = _one_line(_run(tmp_path, "serve", database_url=fresh_postgres))
    assert "database at 0001" in line


def test_an_unreachable_redis_falls_back_with_one_warning(tmp_path: Path) -> None:
    port = free_port()
    env = _env(tmp_path, redis_url=f"redis://:hunter2@127.0.0.1:{free_port()}/0")
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "bots.cli", "serve", "--port", str(port)],
                            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "serve exited"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not become healthy"
            time.sleep(0.2)
        # The login limiter counts in this process instead of failing on Redis.
        login = httpx.post(f"{base}/api/v1/auth/token", timeout=10,
                           data={"username": "nobody", "password": "wrong"})
        assert login.status_code == 401, login.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    log.seek(0)
    text = log.read()
    warnings = [line for line in text.splitlines() if "Redis unreachable" in line]
    assert len(warnings) == 1, text
    assert "hunter2" not in text
