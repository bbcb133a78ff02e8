"""``weiquan chat`` as a person would script it: lines on stdin, text on stdout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from storage.db import Database

SCRIPT = [
    "hi",
    "1",  # file a complaint
    "1",  # first category
    "1",  # first subcategory
    "no",  # not accepted elsewhere
    "Suning Electronics",
    "skip",
    "skip",
    "yesterday",
    "3999元",
    "The washing machine leaks water every time it runs.",
    "1",
    "done",
    "Li Lei",
    "+44 7911 123456",
    "yes",
]


def run_chat(db_url: str, tmp_path: Path, lines: list[str], *extra: str) -> str:
    env = {
        **os.environ,
        "WEIQUAN_DATABASE_URL": db_url,
        "WEIQUAN_VAR_DIR": str(tmp_path / "var"),
        "WEIQUAN_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "WEIQUAN_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", "chat", *extra],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_file_and_list_a_complaint_in_the_terminal(
    db_url: str, database: Database, tmp_path: Path
) -> None:
    out = run_chat(db_url, tmp_path, SCRIPT, "--user", "term", "--lang", "en")
    # The summary is shown with numbered choices; confirm with the first one.
    assert "  1. " in out
    confirm = run_chat(db_url, tmp_path, ["1"], "--user", "term", "--lang", "en")
    number = re.search(r"\b(\d{14})\b", confirm)
    assert number, confirm
    listing = run_chat(db_url, tmp_path, ["my complaints"], "--user", "term", "--lang", "en")
    assert number.group(1) in listing
    other = run_chat(db_url, tmp_path, ["my complaints"], "--user", "someone-else")
    assert number.group(1) not in other
