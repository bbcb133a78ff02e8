"""Fixtures for the WeChat channel: a fake WeChat API and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bots.settings import Settings
from tests.fakes.wechat_api import FakeWeChat, running_fake

TOKEN = "weiquan-test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as in the MP console


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    """A fake WeChat API server on 127.0.0.1."""
    with running_fake() as server:
        yield server


@pytest.fixture
def settings(db_url: str, tmp_path: Path, fake: FakeWeChat) -> Settings:
    """Settings with the WeChat channel on in plain mode (English, to read replies).

    Safe-mode tests call ``reconfigure(services, aes_key=AES_KEY)``: with a key, plaintext
    is refused.
    """
    return Settings(
        database_url=db_url,
        evidence_dir=tmp_path / "evidence",
        var_dir=tmp_path / "var",
        secret_key="test-secret-key-test-secret-key",
        run_worker=False,
        language="en",
        wechat_token=TOKEN,
        wechat_app_id=fake.app_id,
        wechat_app_secret=fake.secret,
        wechat_api_base_url=fake.base_url,
        _env_file=None,  # type: ignore[call-arg]
    )


def reconfigure(services: Any, **changes: Any) -> None:
    """Run the WeChat channel as if the process had started with these settings
    (``aes_key``, ``replay_window``…: the fields of ``WeChatConfig``)."""
    channel = services.channels["wechat"]
    channel.config = replace(channel.config, **changes)
