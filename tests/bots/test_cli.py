"""The command line: schema upgrades from nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy


def test_db_upgrade_creates_every_table(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    env = {
        **os.environ,
        "WEIQUAN_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "WEIQUAN_VAR_DIR": str(tmp_path / "var"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    tables = set(sqlalchemy.inspect(sqlalchemy.create_engine(f"sqlite:///{db}")).get_table_names())
    assert {"identities", "conversations", "complaints", "evidence", "outbox"} <= tables


def test_polling_refuses_several_workers_that_run_the_loops(tmp_path: Path) -> None:
    env = {**os.environ, "WEIQUAN_TELEGRAM_TOKEN": "1:x", "WEIQUAN_VAR_DIR": str(tmp_path),
           "WEIQUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/w.db"}
    env.pop("WEIQUAN_TELEGRAM_WEBHOOK_URL", None)
    done = subprocess.run([sys.executable, "-m", "bots.cli", "serve", "--workers", "2"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "one process" in done.stderr and "--no-worker" in done.stderr
