"""Fault suite: kill -9 of the server or of a delivery worker, or a PostgreSQL restart.

Usage: ``python -m bench.faults [--case kill|pg-restart|worker-kill|all] [--consumers 150]
[--notices 3000]``

The load generator behaves like a platform: a message that was not answered 200 is
sent again (same MsgId) until it is. After the fault and recovery, every conversation
must have advanced exactly once per distinct message and every consumer must have
filed exactly one complaint: nothing acknowledged is lost and nothing is applied twice.

``pg-restart`` restarts the machine's PostgreSQL cluster: run it on a machine where
nothing else uses the server.

``worker-kill`` is ``python -m bench.worker_kill --notices N``: kill -9 of a delivery
worker mid-delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import asyncpg

from bench import worker_kill
from bench.common import BENCH_ENV, free_port, postgres_database, server_log, wait_healthy
from bench.http import Connection
from bench.protocols import WeChat
from bench.script import COMPLAINT_LINES


def start_server(url: str, work: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **BENCH_ENV,
        "WEIQUAN_DATABASE_URL": url,
        "WEIQUAN_VAR_DIR": str(work / "var"),
        "WEIQUAN_EVIDENCE_DIR": str(work / "ev"),
        "WEIQUAN_SECRET_KEY": "fault-secret-fault-secret-fault",
        "WEIQUAN_LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "-m", "bots.cli", "db", "upgrade"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=server_log(work),
    )
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    return proc


async def platform_load(port: int, consumers: int, outcomes: Counter[str]) -> None:
    """Conversations that resend each message until it is answered 200."""
    proto = WeChat(safe=False)

    async def consumer(i: int) -> None:
        conn = Connection("127.0.0.1", port)
        for n, line in enumerate(COMPLAINT_LINES):
            request = proto.encode(f"fault-{i}", n, line)
            while True:
                try:
                    status, _ = await conn.request(*request)
                except (OSError, asyncio.IncompleteReadError):
                    outcomes["connection error"] += 1
                    await conn.close()
                    await asyncio.sleep(0.2)
                    continue
                outcomes[str(status)] += 1
                if status == 200:
                    break
                await asyncio.sleep(0.2)
        await conn.close()

    await asyncio.gather(*(consumer(i) for i in range(consumers)))


async def verify(url: str) -> tuple[int, int, int]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        filed = int(await conn.fetchval("SELECT count(*) FROM complaints"))
        people = int(await conn.fetchval("SELECT count(DISTINCT identity_id) FROM complaints"))
        wrong = int(
            await conn.fetchval(
                "SELECT count(*) FROM conversations WHERE version <> $1", len(COMPLAINT_LINES)
            )
        )
    finally:
        await conn.close()
    return filed, people, wrong


def run_case(case: str, consumers: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as url:
        port = free_port()
        proc = start_server(url, Path(tmp), port)
        outcomes: Counter[str] = Counter()

        async def scenario() -> float:
            load = asyncio.create_task(platform_load(port, consumers, outcomes))
            await asyncio.sleep(3)
            nonlocal proc
            started = time.perf_counter()
            if case == "kill":
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                await asyncio.sleep(1)
                proc = await asyncio.to_thread(start_server, url, Path(tmp), port)
            else:
                cluster = sorted(os.listdir("/etc/postgresql"))[0]
                await asyncio.to_thread(
                    subprocess.run,
                    [
                        "pg_ctlcluster",
                        "--skip-systemctl-redirect",
                        cluster,
                        "main",
                        "restart",
                    ],
                    check=True,
                )
            recovered = time.perf_counter() - started
            await load
            return recovered

        recovered = asyncio.run(scenario())
        proc.terminate()
        proc.wait(timeout=20)
        # Keep the server's log for a look at what the outage produced.
        shutil.copy(Path(tmp) / "server.log", Path(tempfile.gettempdir()) / f"fault-{case}.log")
        filed, people, wrong = asyncio.run(verify(url))
    ok = filed == consumers and people == consumers and wrong == 0
    print(f"[{case}] answers: {dict(outcomes)}; fault handled in {recovered:.1f} s")
    print(
        f"[{case}] complaints {filed} from {people} consumers (expected {consumers}); "
        f"conversations off by a message: {wrong} -> {'PASS' if ok else 'FAIL'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--case", choices=["kill", "pg-restart", "worker-kill", "all"], default="kill"
    )
    parser.add_argument("--consumers", type=int, default=150)
    parser.add_argument("--notices", type=int, default=worker_kill.NOTICES, help="worker-kill")
    args = parser.parse_args()
    cases = ["kill", "pg-restart", "worker-kill"] if args.case == "all" else [args.case]
    results = [
        worker_kill.main_run(args.notices)
        if case == "worker-kill"
        else run_case(case, args.consumers)
        for case in cases
    ]
    raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
