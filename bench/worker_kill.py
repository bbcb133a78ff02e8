"""kill -9 of a delivery worker mid-delivery: every notice still goes out, doubles counted.

Usage: ``python -m bench.worker_kill [--notices 900] [--lease 10]``

Puts ``--notices`` Telegram notices in the outbox, runs ``weiquan worker`` (a real
process) against the rate-limited fake Bot API of ``bench.telegram_notices``, kills it
with SIGKILL once about a third is delivered, and starts a second worker. Notices the
dead worker had claimed come back when their lease (``--lease`` seconds) runs out.
Prints delivered, lost (must be 0), delivered twice (at most the ones in flight at the
kill: claimed and not yet recorded) and the time to recover.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

from bench.common import postgres_database, server_log
from bench.telegram_notices import LimitedTelegram, seed_notices
from bots.services import Services
from bots.settings import Settings
from storage.migrate import upgrade
from tests.support.server import serve_in_thread


def _worker(env: dict[str, str], work: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=server_log(work),
    )


async def _statuses(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT status, count(*) FROM outbox GROUP BY status")
        return {row[0]: int(row[1]) for row in rows}
    finally:
        await conn.close()


def run(url: str, work: Path, notices: int, lease: float) -> bool:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    fake = LimitedTelegram()
    with serve_in_thread(fake.app(), lifespan="off") as base:
        env = {
            **os.environ,
            "WEIQUAN_DATABASE_URL": url,
            "WEIQUAN_VAR_DIR": str(work / "var"),
            "WEIQUAN_EVIDENCE_DIR": str(work / "evidence"),
            "WEIQUAN_SECRET_KEY": "bench-worker-kill-bench-worker-kill",
            "WEIQUAN_TELEGRAM_TOKEN": fake.token,
            "WEIQUAN_TELEGRAM_API_BASE_URL": base,
            "WEIQUAN_TELEGRAM_WEBHOOK_URL": "https://example.invalid/hook",
            "WEIQUAN_OUTBOX_LEASE_SECONDS": str(lease),
            "WEIQUAN_WORKER_POLL_SECONDS": "0.2",
            "WEIQUAN_LOG_LEVEL": "WARNING",
        }
        settings = Settings(
            database_url=url, var_dir=work / "var", evidence_dir=work / "evidence",
            secret_key=env["WEIQUAN_SECRET_KEY"], run_worker=False, _env_file=None,
        )  # type: ignore[call-arg]
        asyncio.run(_seed(settings, notices))
        first = _worker(env, work)
        while sum(fake.delivered.values()) < notices // 3:
            time.sleep(0.05)
            if first.poll() is not None:
                raise RuntimeError("the worker exited; see its log in " + str(work))
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.perf_counter()
        at_kill = asyncio.run(_statuses(dsn))
        sent_at_kill = sum(fake.delivered.values())
        in_flight = at_kill.get("sending", 0)
        second = _worker(env, work)
        try:
            deadline = killed_at + lease + notices / 20 + 60
            while len(fake.delivered) < notices and time.perf_counter() < deadline:
                time.sleep(0.1)
            recovered = time.perf_counter() - killed_at
            # Let anything still in flight land before counting.
            time.sleep(1)
            final = asyncio.run(_statuses(dsn))
        finally:
            second.terminate()
            second.wait(timeout=30)
    lost = notices - len(fake.delivered)
    doubled = sum(1 for count in fake.delivered.values() if count > 1)
    print(f"{notices} notices; worker killed after {sent_at_kill} deliveries")
    print(f"at the kill: {at_kill} (in flight: {in_flight})")
    print(f"after recovery: {final}")
    print(
        f"delivered {len(fake.delivered)}, lost {lost}, delivered twice {doubled} "
        f"(allowed: in flight {in_flight}); all out {recovered:.1f} s after the kill "
        f"(lease {lease:.0f} s)"
    )
    ok = lost == 0 and doubled <= in_flight and final.get("sent", 0) == notices
    print("PASS" if ok else "FAIL")
    return ok


async def _seed(settings: Settings, notices: int) -> None:
    services = Services.build(settings)
    try:
        await seed_notices(services, notices)
    finally:
        await services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=900)
    parser.add_argument("--lease", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as url:
        upgrade(url)
        ok = run(url, Path(tmp), args.notices, args.lease)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
