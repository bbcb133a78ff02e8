"""Fixtures for the Telegram channel: a fake Bot API and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bots.settings import Settings
from tests.fakes.telegram_api import FakeTelegram, running_fake

SECRET = "webhook-secret-0123456789"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake() as server:
        yield server


@pytest.fixture
def settings(db_url: str, tmp_path: Path, fake: FakeTelegram) -> Settings:
    """Webhook mode with a secret (polling tests override this fixture without the URL)."""
    return Settings(
        database_url=db_url,
        evidence_dir=tmp_path / "evidence",
        var_dir=tmp_path / "var",
        secret_key="test-secret-key-test-secret-key",
        run_worker=False,
        language="en",
        telegram_token=fake.token,
        telegram_api_base_url=fake.base_url,
        telegram_webhook_url="https://bot.example.org/webhooks/telegram",
        telegram_webhook_secret=SECRET,
        _env_file=None,  # type: ignore[call-arg]
    )
