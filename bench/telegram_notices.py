"""Notice delivery to Telegram under the platform's limits.

Usage: ``python -m bench.telegram_notices [--notices 10000]``

Puts ``--notices`` staff notices for as many Telegram consumers into the outbox and lets
the delivery worker send them through a fake Bot API that enforces 30 messages per
second overall and 1 per second per chat, answering 429 with ``retry_after`` beyond
that. Prints the sustained rate, 429s seen, and checks none was lost or doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bench.common import postgres_database
from bots.delivery import worker
from bots.services import Services
from bots.settings import Settings
from dialogs.replies import Reply
from storage.migrate import upgrade
from storage.models import Identity, OutboxNotice
from tests.fakes.telegram_api import FakeTelegram
from tests.support.server import serve_in_thread


class LimitedTelegram(FakeTelegram):
    """The fake Bot API with Telegram's flood limits."""

    def __init__(self) -> None:
        super().__init__()
        self.window: deque[float] = deque()
        self.chat_last: dict[int, float] = {}
        self.refused = 0  # answers of 429
        self.delivered: Counter[int] = Counter()

    async def api(self, request: Request) -> Response:
        if request.path_params["method"] != "sendMessage":
            return await super().api(request)
        form = await request.form()
        chat = int(str(form["chat_id"]))
        now = time.monotonic()
        while self.window and self.window[0] <= now - 1:
            self.window.popleft()
        if len(self.window) >= 30 or now - self.chat_last.get(chat, -10) < 1:
            self.refused += 1
            return JSONResponse(self.too_many_body(1), status_code=429)
        self.window.append(now)
        self.chat_last[chat] = now
        self.delivered[chat] += 1
        return JSONResponse(
            {
                "ok": True,
                "result": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                    "text": str(form.get("text", "")),
                },
            }
        )

    @staticmethod
    def too_many_body(seconds: int) -> dict[str, Any]:
        return FakeTelegram.too_many(seconds)


async def seed_notices(services: Services, notices: int) -> None:
    """``notices`` Telegram consumers, each with one pending notice in the outbox."""
    async with services.database.transaction() as session:
        people = [
            Identity(
                platform="telegram",
                external_id=str(100_000 + i),
                language="en",
                language_chosen=False,
                pushes_since_inbound=0,
                blocked=False,
            )
            for i in range(notices)
        ]
        session.add_all(people)
        await session.flush()
        now = services.now()
        session.add_all(
            OutboxNotice(
                identity_id=p.id,
                platform="telegram",
                kind="notice",
                payload={"replies": [Reply(f"notice {p.id}").to_dict()]},
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            for p in people
        )


async def run(url: str, work: Path, notices: int) -> None:
    fake = LimitedTelegram()
    with serve_in_thread(fake.app(), lifespan="off") as base:
        settings = Settings(
            database_url=url,
            var_dir=work,
            evidence_dir=work / "e",
            secret_key="bench-notices-bench-notices-00",
            run_worker=False,
            telegram_token=fake.token,
            telegram_api_base_url=base,
            telegram_webhook_url="https://example.invalid/hook",
            _env_file=None,
        )  # type: ignore[call-arg]
        services = Services.build(settings)
        try:
            await seed_notices(services, notices)
            started = time.perf_counter()
            stop = asyncio.Event()
            loop = asyncio.create_task(worker.deliver_notices(services, stop))
            while sum(fake.delivered.values()) < notices:
                await asyncio.sleep(0.05)
                if time.perf_counter() - started > notices / 20 + 120:
                    break
            seconds = time.perf_counter() - started
            stop.set()
            await loop
        finally:
            await services.close()
    sent = sum(fake.delivered.values())
    doubled = sum(1 for c in fake.delivered.values() if c > 1)
    print(
        f"{sent} of {notices} notices in {seconds:.1f} s: {sent / seconds:.1f} messages/s "
        f"(limit 30/s, target at least 28.5/s)"
    )
    print(
        f"429 answers: {fake.refused}; lost: {notices - len(fake.delivered)}; doubled: {doubled}"
    )
    ok = sent == notices and doubled == 0 and sent / seconds >= 28.5
    print("PASS" if ok else "FAIL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as url:
        upgrade(url)
        asyncio.run(run(url, Path(tmp), args.notices))


if __name__ == "__main__":
    main()
