"""Notice delivery to WeChat while the API fails in every way it is known to.

Usage: ``python -m bench.wechat_notices [--notices 10000] [--seed 7] [--expire-every 5]
[--redis redis://127.0.0.1:6379/0]``

Puts ``--notices`` customer-service notices for as many WeChat consumers (48-hour
window open) in the outbox and runs the delivery worker (real sender, wechatpy client
and shared token store) against a fake WeChat API that answers, at random with a fixed
seed, 45015 / 45047 (window closed: the sender falls back to the template message),
40001 (the fake drops the token: exactly one new token must be fetched), -1 (system
busy: retried later) and timeouts (half of them after the fake delivered, as a lost
answer would), and also drops the token every ``--expire-every`` seconds. The token is
shared through the ``platform_tokens`` table, or through Redis with ``--redis``.
Prints how every notice ended, doubles, token fetches per expiry, the rate; exits
non-zero when a notice did not finish, a double is unexplained or an expiry did not
cost exactly one token fetch.
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
from itertools import pairwise
from pathlib import Path

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bench.common import postgres_database
from bots.delivery import worker
from bots.services import Services
from bots.settings import Settings
from dialogs.replies import Reply
from storage.migrate import upgrade
from storage.models import Identity, OutboxNotice
from tests.fakes.wechat_api import Call, FakeWeChat
from tests.support.server import serve_in_thread

CUSTOM, TEMPLATE = "message/custom/send", "message/template/send"
CLIENT_TIMEOUT = 1.0
# Per call: chance of each injected failure (45015/45047 only on customer-service sends).
FAULTS: dict[int | str, float] = {
    45015: 0.04, 45047: 0.02, 40001: 0.01, -1: 0.04, "timeout": 0.003,
}
FINAL = ("sent", "dead", "undeliverable")


class FaultyWeChat(FakeWeChat):
    """The fake WeChat API with injected failures, counting what it delivered."""

    def __init__(self, seed: int) -> None:
        super().__init__(app_id=f"wxbench{seed:010d}")
        self.random = random.Random(seed)
        self.delivered: Counter[str] = Counter()
        self.via: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.fetches = 0
        # Token fetches so far at each expiry: the fetches between two expiries follow
        # from it.
        self.fetches_at_expiry: list[int] = []
        self.accepted_then_timed_out: set[str] = set()

    @property
    def expiries(self) -> int:
        return len(self.fetches_at_expiry)

    def expire(self) -> None:
        """Drop the current token (nothing happens when none is valid)."""
        with self._lock:
            if self.valid_tokens:
                self.valid_tokens = set()
                self.fetches_at_expiry.append(self.fetches)

    def fetches_per_expiry(self) -> tuple[int, list[int]]:
        """Fetches before the first expiry, and after each expiry until the next."""
        marks = [0, *self.fetches_at_expiry, self.fetches]
        counts = [b - a for a, b in pairwise(marks)]
        return counts[0], counts[1:]

    async def token(self, request: Request) -> Response:
        self.fetches += 1
        return await super().token(request)

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


async def _outcomes(services: Services) -> tuple[Counter[str], int]:
    """Notices per outcome (``sent via …``, ``dead: reason``, other statuses), most tries."""
    columns = (OutboxNotice.status, OutboxNotice.delivered_via, OutboxNotice.last_error)
    async with services.database.sessions() as session:
        rows = await session.execute(select(*columns, func.count()).group_by(*columns))
        most = await session.scalar(select(func.max(OutboxNotice.attempts)))
    outcomes: Counter[str] = Counter()
    for status, via, error, count in rows:
        if status == "sent":
            outcomes[f"sent via {via}"] += count
        elif status in ("dead", "undeliverable"):
            outcomes[f"{status}: {error}"] += count
        else:
            outcomes[status] += count
    return outcomes, int(most or 0)


def _settings(
    url: str, work: Path, fake: FakeWeChat, base: str, redis: str | None
) -> Settings:
    return Settings(
        database_url=url, var_dir=work, evidence_dir=work / "e",
        secret_key="bench-wechat-notices-bench-00", run_worker=False,
        wechat_token="benchtoken", wechat_app_id=fake.app_id, wechat_app_secret=fake.secret,
        wechat_api_base_url=f"{base}/cgi-bin/", wechat_template_id="TEMPLATE-PROGRESS",
        wechat_timeout_seconds=CLIENT_TIMEOUT, worker_poll_seconds=0.2, redis_url=redis,
        _env_file=None,
    )  # type: ignore[call-arg]


async def run(
    url: str, work: Path, notices: int, seed: int, expire_every: float, redis: str | None
) -> bool:
    fake = FaultyWeChat(seed)
    with serve_in_thread(fake.app(), lifespan="off") as base:
        services = Services.build(_settings(url, work, fake, base, redis))
        await _drop_redis_token(redis, fake.app_id)
        try:
            await _seed(services, notices)
            started = time.perf_counter()
            stop = asyncio.Event()
            loop = asyncio.create_task(worker.deliver_notices(services, stop))
            next_expiry = started + expire_every
            while True:
                await asyncio.sleep(0.2)
                outcomes, most_attempts = await _outcomes(services)
                final = sum(n for k, n in outcomes.items() if k.startswith(FINAL))
                if final >= notices or time.perf_counter() - started > notices / 5 + 600:
                    break
                if time.perf_counter() >= next_expiry:
                    fake.expire()
                    next_expiry += expire_every
            seconds = time.perf_counter() - started
            stop.set()
            await loop
        finally:
            await services.close()
            await _drop_redis_token(redis, fake.app_id)
    return _report(fake, notices, outcomes, most_attempts, final, seconds)


async def _drop_redis_token(redis: str | None, app_id: str) -> None:
    """No token left in Redis from an earlier run (the key is the token store's)."""
    if redis:
        from redis.asyncio import Redis

        client = Redis.from_url(redis)
        await client.delete(f"weiquan:wechat_token:{app_id}")
        await client.aclose()


def _report(
    fake: FaultyWeChat, notices: int, outcomes: Counter[str], most_attempts: int,
    final: int, seconds: float,
) -> bool:
    doubled = {o for o, n in fake.delivered.items() if n > 1}
    unexplained = doubled - fake.accepted_then_timed_out
    unfinished = notices - final
    first, per_expiry = fake.fetches_per_expiry()
    # The last expiry needs no fetch when no call came after it.
    if per_expiry and per_expiry[-1] == 0 and not fake.valid_tokens:
        per_expiry = per_expiry[:-1]
    token_ok = first == 1 and all(n == 1 for n in per_expiry)
    dead = sum(n for k, n in outcomes.items() if k.startswith(("dead", "undeliverable")))
    print(f"{notices} notices finished in {seconds:.1f} s: {final / seconds:.1f} notices/s")
    print(f"injected: {dict(sorted(fake.injected.items()))} (client timeout {CLIENT_TIMEOUT} s)")
    print(f"sent via custom: {outcomes['sent via custom']}")
    print(f"sent via template (fallback): {outcomes['sent via template']}")
    print(f"dead: {dead}")
    for outcome, count in sorted(outcomes.items()):
        if outcome.startswith(("dead", "undeliverable")):
            print(f"  {outcome}: {count}")
    print(f"unfinished (pending/retrying/sending/held): {unfinished}; most tries {most_attempts}")
    print(f"fake delivered via custom {fake.via[CUSTOM]}, via template {fake.via[TEMPLATE]}")
    print(
        f"delivered twice: {len(doubled)}; of them answer lost after delivery: "
        f"{len(doubled & fake.accepted_then_timed_out)} (such timeouts: "
        f"{len(fake.accepted_then_timed_out)}); other doubles: {len(unexplained)}"
    )
    print(
        f"token: {fake.expiries} expiries, {fake.fetches} fetches ({first} before the first "
        f"expiry; fetches per expiry {dict(Counter(per_expiry))}, must all be 1)"
    )
    ok = unfinished == 0 and not unexplained and token_ok
    print("PASS" if ok else "FAIL")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--expire-every", type=float, default=5.0)
    parser.add_argument("--redis", help="share the token through this Redis")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as url:
        upgrade(url)
        ok = asyncio.run(
            run(url, Path(tmp), args.notices, args.seed, args.expire_every, args.redis)
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
