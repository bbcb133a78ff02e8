"""The quick cases of the fault suite (bench/), run against real servers on PostgreSQL.

Each case is the benchmark command at a small size; it prints its figures and exits
non-zero when anything acknowledged was lost or applied twice. The PostgreSQL restart
case restarts the machine's server and stays out of the test run (`bench.faults --case
pg-restart`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]

CASES = {
    "server kill -9 under load": ["bench.faults", "--case", "kill", "--consumers", "20"],
    "retry storm": ["bench.retry_storm", "--consumers", "10"],
    "worker kill -9 mid-delivery": ["bench.worker_kill", "--notices", "150", "--lease", "3"],
    "bad input": ["bench.bad_input", "--requests", "600"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fault_case_passes(case: str, postgres_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *CASES[case]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "WEIQUAN_BENCH_POSTGRES": _plain(PG_ADMIN_URL)},
    )
    report = result.stdout + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "PASS" in result.stdout, report


def _plain(url: str) -> str:
    """The admin URL as asyncpg takes it (the benchmarks make their own databases)."""
    return url.replace("postgresql+asyncpg://", "postgresql://")
