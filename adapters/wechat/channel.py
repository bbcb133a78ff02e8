"""Wiring: the WeChat sender and media fetcher for a deployment's settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from adapters.wechat.adapter import WeChatApi, WeChatMediaFetcher
from adapters.wechat.sender import ProgressLink, WeChatSender
from adapters.wechat.template import parse_fields
from adapters.wechat.token import DatabaseTokens, RedisTokens, TokenStore
from bots.settings import Settings
from storage.db import Database

log = logging.getLogger("weiquan.wechat")


@dataclass(frozen=True)
class WeChatChannel:
    """What the rest of Weiquan uses of the WeChat channel."""

    api: WeChatApi
    sender: WeChatSender
    fetcher: WeChatMediaFetcher

    async def close(self) -> None:
        """Release the shared token store's connection, if it holds one."""
        if isinstance(self.api.tokens, RedisTokens):
            await self.api.tokens.redis.aclose()


def configured(settings: Settings) -> bool:
    """The channel is on and has API credentials (pushes need app id and secret)."""
    return bool(settings.wechat_enabled and settings.wechat_app_id and settings.wechat_app_secret)


def token_store(settings: Settings, database: Database, api: WeChatApi,
                redis_prefix: str = "weiquan:") -> TokenStore:
    """Redis when ``WEIQUAN_REDIS_URL`` is set, else the ``platform_tokens`` table."""
    if settings.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url, decode_responses=True)
        return RedisTokens(redis, f"{redis_prefix}wechat_token:{api.app_id}", api.fetch_token)
    return DatabaseTokens(database, f"wechat:{api.app_id}", api.fetch_token)


def build(
    settings: Settings, database: Database, progress_link: ProgressLink | None = None
) -> WeChatChannel:
    """The channel's API access, sender and fetcher, sharing one token store.

    Raises:
        ValueError: ``WEIQUAN_WECHAT_TEMPLATE_FIELDS`` cannot be read.
    """
    assert settings.wechat_app_id and settings.wechat_app_secret
    api = WeChatApi(settings.wechat_app_id, settings.wechat_app_secret,
                    settings.wechat_api_base_url, settings.wechat_timeout_seconds)
    api.tokens = token_store(settings, database, api)
    fields = parse_fields(settings.wechat_template_fields)
    if settings.wechat_template_id and not fields:
        # Since 2023-05-04 a template shows only its keyword fields: without a mapping
        # the notice would arrive empty, so it waits for the consumer's next message.
        log.warning("WEIQUAN_WECHAT_TEMPLATE_ID is set without WEIQUAN_WECHAT_TEMPLATE_FIELDS;"
                    " template messages are off")
    sender = WeChatSender(api, settings.wechat_template_id, fields=fields,
                          progress_link=progress_link)
    return WeChatChannel(api=api, sender=sender, fetcher=WeChatMediaFetcher(api))
