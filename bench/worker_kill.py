"""kill -9 of a delivery worker mid-delivery: every notice still goes out, doubles counted.

Usage: ``python -m bench.worker_kill [--notices 3000] [--lease 10]``
(also ``python -m bench.faults --case worker-kill``)

Puts ``--notices`` Telegram notices in the outbox, runs ``weiquan worker`` (a real
process) against the rate-limited fake Bot API of ``bench.telegram_notices``, kills it
with SIGKILL once about a third is delivered, and starts a second worker. Notices the
dead worker had claimed come back when their lease (``--lease`` seconds) runs out.
Prints delivered, lost (must be 0), delivered twice (only notices in flight at the
kill — claimed and not yet recorded, read from the database — may be) and the time to
recover; exits non-zero otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import math
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

NOTICES = 3000
LEASE = 10.0


def _worker(env: dict[str, str], work: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=server_log(work),
    )


async def _statuses(dsn: str) -> tuple[dict[str, int], dict[int, int]]:
    """Notices per status, and those claimed and not recorded (``sending``): id -> chat."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT status, count(*) FROM outbox GROUP BY status")
        sending = await conn.fetch(
            "SELECT o.id, i.external_id FROM outbox o JOIN identities i ON i.id = o.identity_id"
            " WHERE o.status = 'sending'"
        )
        return {row[0]: int(row[1]) for row in rows}, {r[0]: int(r[1]) for r in sending}
    finally:
        await conn.close()


async def _unsent(dsn: str, ids: list[int]) -> int:
    """How many of the notices ``ids`` are not recorded as sent."""
    conn = await asyncpg.connect(dsn)
    try:
        sent = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE id = ANY($1) AND status = 'sent'", ids
        )
        return len(ids) - int(sent)
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
        sent_at_kill = sum(fake.delivered.values())
        at_kill, claimed = asyncio.run(_statuses(dsn))
        in_flight = set(claimed.values())
        second = _worker(env, work)
        try:
            deadline = killed_at + lease + notices / 20 + 60
            taken_over = recovered = math.nan
            while time.perf_counter() < deadline:
                time.sleep(0.1)
                if math.isnan(taken_over) and not asyncio.run(_unsent(dsn, list(claimed))):
                    taken_over = time.perf_counter() - killed_at  # the dead worker's notices
                if math.isnan(recovered) and len(fake.delivered) >= notices:
                    recovered = time.perf_counter() - killed_at
                if not math.isnan(taken_over + recovered):
                    break
            # Let anything still in flight land before counting.
            time.sleep(1)
            final, _ = asyncio.run(_statuses(dsn))
        finally:
            second.terminate()
            second.wait(timeout=30)
    lost = notices - len(fake.delivered)
    doubled = {chat for chat, count in fake.delivered.items() if count > 1}
    print(f"{notices} notices; worker killed after {sent_at_kill} deliveries")
    print(f"at the kill: {at_kill} (in flight: {len(in_flight)})")
    print(f"after recovery: {final}")
    print(
        f"delivered {len(fake.delivered)}, lost {lost}, delivered twice {len(doubled)} "
        f"(in flight at the kill {len(in_flight)}; doubles not in flight "
        f"{len(doubled - in_flight)})"
    )
    print(
        f"recovery: the dead worker's notices sent {taken_over:.1f} s after the kill "
        f"(lease {lease:g} s); all out {recovered:.1f} s after the kill"
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
    parser.add_argument("--notices", type=int, default=NOTICES)
    parser.add_argument("--lease", type=float, default=LEASE)
    args = parser.parse_args()
    sys.exit(0 if main_run(args.notices, args.lease) else 1)


def main_run(notices: int = NOTICES, lease: float = LEASE) -> bool:
    """One run in a fresh database; True when it passed."""
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as url:
        upgrade(url)
        return run(url, Path(tmp), notices, lease)


if __name__ == "__main__":
    main()
