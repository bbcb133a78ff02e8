"""Notice delivery to WeChat while the API fails in every way it is known to.

Usage: ``python -m bench.wechat_notices [--notices 10000] [--seed 7]``

Puts ``--notices`` customer-service notices for as many WeChat consumers (48-hour
window open) in the outbox and runs the delivery worker against a fake WeChat API that
answers, at random with a fixed seed, 45015 / 45047 (window closed: the sender falls
back to the template message), 40001 (the fake drops the token: exactly one new token
must be fetched), -1 (system busy: retried later) and timeouts (half of them after the
fake delivered, as a lost answer would), and also drops the token every few seconds.
Prints how every notice ended, doubles, token expiries against token fetches, the rate.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bench.common import postgres_database
from bots import worker
from bots.services import Services
from bots.settings import Settings
from dialogs.events import Reply
from storage.migrate import upgrade
from storage.models import Identity, OutboxNotice
from tests.fakes.wechat_api import Call, FakeWeChat
from tests.support.server import serve_in_thread

CUSTOM, TEMPLATE = "message/custom/send", "message/template/send"
CLIENT_TIMEOUT = 1.0
# Per call: chance of each injected failure.
FAULTS = {45015: 0.04, 45047: 0.02, 40001: 0.01, -1: 0.04, "timeout": 0.003}


class FaultyWeChat(FakeWeChat):
    """The fake WeChat API with injected failures, counting what it delivered."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.random = random.Random(seed)
        self.delivered: Counter[str] = Counter()
        self.via: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.expiries = 0
        self.accepted_then_timed_out: set[str] = set()

    def expire(self) -> None:
        with self._lock:
            if self.valid_tokens:
                self.valid_tokens = set()
                self.expiries += 1

    def _fault(self, endpoint: str) -> int | str | None:
        roll = self.random.random()
        for fault, chance in FAULTS.items():
            if fault in (45015, 45047) and endpoint != CUSTOM:
                continue
            if roll < chance:
                return fault
            roll -= chance
        return None

    async def _api(self, request: Request, endpoint: str) -> Response:
        if endpoint not in (CUSTOM, TEMPLATE):
            return await super()._api(request, endpoint)
        params = dict(request.query_params)
        body = await request.json()
        self.calls.append(Call(endpoint, params, None))
        refused = self._auth(params)
        if refused is not None:
            return refused
        fault = self._fault(endpoint)
        if fault is not None:
            self.injected[str(fault)] += 1
        openid = str(body["touser"])
        if fault == 40001:
            self.expire()
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
        if isinstance(fault, int):
            return JSONResponse({"errcode": fault, "errmsg": "injected"})
        if fault == "timeout":
            if self.random.random() < 0.5:
                self._deliver(openid, endpoint)
                self.accepted_then_timed_out.add(openid)
            await asyncio.sleep(CLIENT_TIMEOUT * 3)
            return JSONResponse({"errcode": 0, "errmsg": "too late"})
        self._deliver(openid, endpoint)
        return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": 1})

    def _deliver(self, openid: str, endpoint: str) -> None:
        self.delivered[openid] += 1
        self.via[endpoint] += 1


async def _seed(services: Services, notices: int) -> None:
    now = services.now()
    async with services.database.transaction() as session:
        people = [
            Identity(
                platform="wechat", external_id=f"o{i:07d}", language="zh-CN",
                language_chosen=False, pushes_since_inbound=0, blocked=False,
                last_inbound_at=now - timedelta(hours=1),
            )
            for i in range(notices)
        ]
        session.add_all(people)
        await session.flush()
        session.add_all(
            OutboxNotice(
                identity_id=p.id, platform="wechat", kind="notice",
                payload={"replies": [Reply(f"您的投诉有新进展 {p.id}").to_dict()]},
                status="pending", attempts=0, next_attempt_at=now, created_at=now,
            )
            for p in people
        )


async def _outcomes(services: Services) -> Counter[str]:
    async with services.database.sessions() as session:
        rows = await session.execute(
            select(OutboxNotice.status, OutboxNotice.delivered_via, OutboxNotice.last_error,
                   func.count()).group_by(OutboxNotice.status, OutboxNotice.delivered_via,
                                          OutboxNotice.last_error)
        )
        outcomes: Counter[str] = Counter()
        for status, via, error, count in rows:
            key = f"sent via {via}" if status == "sent" else (
                f"dead: {error}" if status == "dead" else status)
            outcomes[key] += count
        return outcomes


async def run(url: str, work: Path, notices: int, seed: int, expire_every: float) -> bool:
    fake = FaultyWeChat(seed)
    with serve_in_thread(fake.app(), lifespan="off") as base:
        settings = Settings(
            database_url=url, var_dir=work, evidence_dir=work / "e",
            secret_key="bench-wechat-notices-bench-00", run_worker=False,
            wechat_token="benchtoken", wechat_app_id=fake.app_id, wechat_app_secret=fake.secret,
            wechat_api_base_url=f"{base}/cgi-bin/", wechat_template_id="TEMPLATE-PROGRESS",
            wechat_timeout_seconds=CLIENT_TIMEOUT, worker_poll_seconds=0.2,
            _env_file=None,
        )  # type: ignore[call-arg]
        services = Services.build(settings)
        try:
            await _seed(services, notices)
            started = time.perf_counter()
            stop = asyncio.Event()
            loop = asyncio.create_task(worker.deliver_notices(services, stop))
            next_expiry = started + expire_every
            while True:
                await asyncio.sleep(0.2)
                if time.perf_counter() >= next_expiry:
                    fake.expire()
                    next_expiry += expire_every
                outcomes = await _outcomes(services)
                final = sum(n for k, n in outcomes.items() if k.startswith(("sent", "dead")))
                if final >= notices or time.perf_counter() - started > notices / 5 + 600:
                    break
            seconds = time.perf_counter() - started
            stop.set()
            await loop
        finally:
            await services.close()
    fetches = len(fake.calls_to("token"))
    doubled = {o for o, n in fake.delivered.items() if n > 1}
    unexplained = doubled - fake.accepted_then_timed_out
    pending = notices - final
    print(f"{notices} notices in {seconds:.1f} s: {final / seconds:.1f} finished/s")
    print(f"injected: {dict(fake.injected)}")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {outcome}: {count}")
    print(f"fake delivered via custom {fake.via[CUSTOM]}, via template {fake.via[TEMPLATE]}")
    print(
        f"not finished: {pending}; delivered twice: {len(doubled)} (answer lost after "
        f"delivery: {len(fake.accepted_then_timed_out)}; other doubles: {len(unexplained)})"
    )
    print(f"token expiries {fake.expiries}, token fetches {fetches} (first fetch + one per expiry)")
    ok = pending == 0 and not unexplained and fetches == fake.expiries + 1
    print("PASS" if ok else "FAIL")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--expire-every", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as url:
        upgrade(url)
        ok = asyncio.run(run(url, Path(tmp), args.notices, args.seed, args.expire_every))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
