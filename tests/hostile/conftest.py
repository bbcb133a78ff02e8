"""Fixtures for the hostile corpus: every channel on (WeChat plain mode, Telegram
webhook), a filed complaint and signed-in staff."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bots.settings import Settings
from storage.models import Base
from tests.adapters.wechat.conftest import TOKEN as WECHAT_TOKEN
from tests.fakes import telegram_api, wechat_api
from tests.staff.helpers import PASSWORD, WebConsumer, file_by_chat, make_staff, sign_in

TELEGRAM_SECRET = "hostile-webhook-secret"


@pytest.fixture
def fake_telegram() -> Iterator[telegram_api.FakeTelegram]:
    with telegram_api.running_fake() as server:
        yield server


@pytest.fixture
def fake_wechat() -> Iterator[wechat_api.FakeWeChat]:
    with wechat_api.running_fake() as server:
        yield server


@pytest.fixture
def settings(
    db_url: str,
    tmp_path: Path,
    fake_telegram: telegram_api.FakeTelegram,
    fake_wechat: wechat_api.FakeWeChat,
) -> Settings:
    """Every channel on; WeChat in plain mode (no AES key), Telegram with a secret."""
    return Settings(
        database_url=db_url,
        evidence_dir=tmp_path / "evidence",
        var_dir=tmp_path / "var",
        secret_key="test-secret-key-test-secret-key",
        run_worker=False,
        language="en",
        wechat_token=WECHAT_TOKEN,
        wechat_app_id=fake_wechat.app_id,
        wechat_app_secret=fake_wechat.secret,
        wechat_api_base_url=fake_wechat.base_url,
        wechat_replay_window=0,
        telegram_token=fake_telegram.token,
        telegram_api_base_url=fake_telegram.base_url,
        telegram_webhook_url="https://bot.example.org/webhooks/telegram",
        telegram_webhook_secret=TELEGRAM_SECRET,
        telegram_messages_per_second=1000,  # hundreds of updates; pacing is tested elsewhere
        _env_file=None,  # type: ignore[call-arg]
    )


_TABLES = Base.metadata.sorted_tables
_COUNTS = select(
    *(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in _TABLES)
)


async def row_counts(services: Any) -> dict[str, int]:
    """Rows in every table (one query: the corpus counts before and after each request)."""
    async with services.database.sessions() as session:
        row = (await session.execute(_COUNTS)).one()
    return {t.name: int(v) for t, v in zip(_TABLES, row, strict=True)}


@dataclass
class Staff:
    """A filed complaint and the ways staff reach it."""

    number: str
    bearer: dict[str, str]
    console: httpx.AsyncClient
    csrf: str


@pytest.fixture
def consumer(client: httpx.AsyncClient) -> Callable[[], httpx.AsyncClient]:
    """A fresh HTTP client on the same app: one per web chat consumer (own cookies)."""

    def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=client._transport, base_url="http://testserver")

    return make


@pytest.fixture
async def staff(client: httpx.AsyncClient, services: Any, consumer: Any) -> AsyncIterator[Staff]:
    """A complaint filed through the web chat, an admin's bearer token and console session."""
    async with consumer() as web:
        number = await file_by_chat(WebConsumer(web))
    bearer = await sign_in(client, services, "admin")
    await make_staff(services, "console-admin", "admin")
    async with consumer() as console:
        login = await console.get("/console/login?lang=en")
        token = re.search(r'name="csrf" value="([^"]+)"', login.text)
        assert token
        signed = await console.post(
            "/console/login",
            data={"username": "console-admin", "password": PASSWORD, "csrf": token.group(1)},
        )
        assert signed.status_code == 303, signed.text
        page = await console.get(f"/console/complaints/{number}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        yield Staff(number=number, bearer=bearer, console=console, csrf=csrf.group(1))
