"""The python-telegram-bot ``Bot`` for a channel's config."""

from __future__ import annotations

from telegram import Bot
from telegram.request import HTTPXRequest

from adapters.telegram.config import TelegramConfig
from adapters.telegram.keepalive import KeepAliveRequest

API = "https://api.telegram.org"


def build_bot(config: TelegramConfig) -> Bot:
    """A Bot pointed at Telegram, or at the URLs in the config (tests, local Bot API)."""
    api = (config.api_base_url or API).rstrip("/")
    files = (config.file_base_url or api).rstrip("/")
    return Bot(
        config.token,
        base_url=f"{api}/bot",
        base_file_url=f"{files}/file/bot",
        request=KeepAliveRequest(connection_pool_size=32, read_timeout=15, connect_timeout=5),
        # getUpdates holds the connection open for the long-poll timeout.
        get_updates_request=HTTPXRequest(read_timeout=40),
    )
