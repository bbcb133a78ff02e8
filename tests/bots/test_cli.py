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
    env = {
        **os.environ,
        "WEIQUAN_TELEGRAM_TOKEN": "1:x",
        "WEIQUAN_VAR_DIR": str(tmp_path),
        "WEIQUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/w.db",
    }
    env.pop("WEIQUAN_TELEGRAM_WEBHOOK_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", "serve", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "one process" in done.stderr and "--no-worker" in done.stderr


def _calendar_check(tmp_path: Path, holidays: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WEIQUAN_VAR_DIR": str(tmp_path / "var")}
    env.pop("WEIQUAN_HOLIDAYS_FILE", None)
    if holidays is not None:
        (tmp_path / "holidays.txt").write_text(holidays, encoding="utf-8")
        env["WEIQUAN_HOLIDAYS_FILE"] = str(tmp_path / "holidays.txt")
    return subprocess.run(
        [sys.executable, "-m", "bots.cli", "calendar", "check", "--first", "2026", "--last",
         "2027"], env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_calendar_check_prints_the_source_per_year_and_the_provisional_days(
    tmp_path: Path,
) -> None:
    done = _calendar_check(tmp_path, "+2027-02-20\n2027-10-07\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "2026  chinesecalendar published" in out
    assert "2027  holidays        provisional, holidays file: 2 entries" in out
    assert "2027-02-05..2027-02-10" in out and "Spring Festival" in out
    assert "work 2027-02-20" in out and "2027-10-07" in out
    assert "provisional: 2027-01-01 onwards" in out
    bad = _calendar_check(tmp_path, "2027/01/01\n")
    assert bad.returncode == 2 and "not a YYYY-MM-DD date" in bad.stdout
