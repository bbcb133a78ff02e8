"""The python-telegram-bot ``Bot`` for a deployment's settings."""

from __future__ import annotations

from telegram import Bot
from telegram.request import HTTPXRequest

from bots.settings import Settings

API = "https://api.telegram.org"


def build_bot(settings: Settings) -> Bot:
    """A Bot pointed at Telegram, or at the URLs in the settings (tests, local Bot API)."""
    assert settings.telegram_token
    api = (settings.telegram_api_base_url or API).rstrip("/")
    files = (settings.telegram_file_base_url or api).rstrip("/")
    return Bot(
        settings.telegram_token,
        base_url=f"{api}/bot",
        base_file_url=f"{files}/file/bot",
        request=HTTPXRequest(connection_pool_size=32, read_timeout=15, connect_timeout=5),
        # getUpdates holds the connection open for the long-poll timeout.
        get_updates_request=HTTPXRequest(read_timeout=40),
    )
