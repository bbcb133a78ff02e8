"""``weiquan telegram set-webhook`` and a staff notice reaching Telegram through the worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bots.delivery import worker
from dialogs.replies import Reply
from storage import outbox
from storage.models import Identity, OutboxNotice
from tests.fakes.telegram_api import FakeTelegram

from . import updates
from .conftest import SECRET


def test_set_webhook_registers_url_secret_and_updates(fake: FakeTelegram, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "WEIQUAN_TELEGRAM_TOKEN": fake.token,
        "WEIQUAN_TELEGRAM_API_BASE_URL": fake.base_url,
        "WEIQUAN_TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram",
        "WEIQUAN_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "WEIQUAN_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", "telegram", "set-webhook"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [call] = fake.calls_to("setWebhook")
    assert call.params["url"] == "https://bot.example.org/webhooks/telegram"
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query"]


async def test_a_notice_reaches_the_chat_through_the_worker(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    await client.post(
        "/webhooks/telegram",
        json=updates.text(31, "hi"),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    async with services.database.transaction() as session:
        identity = (await session.scalars(select(Identity))).one()
        await outbox.enqueue(
            session=session,
            identity=identity,
            replies=[Reply("Your complaint was accepted.")],
            now=services.now(),
        )
    fake.fail("sendMessage", FakeTelegram.too_many(3))
    await worker.deliver_due(services)
    async with services.database.sessions() as session:
        notice = (await session.scalars(select(OutboxNotice))).one()
    assert notice.status == "retrying"
    assert (notice.next_attempt_at - services.now()).total_seconds() == 3
    services.engine.clock.advance(seconds=4)
    await worker.deliver_due(services)
    assert fake.sent_texts(31)[-1] == "Your complaint was accepted."
