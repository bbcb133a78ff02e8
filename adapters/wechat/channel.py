"""The WeChat channel: the webhook, and with API credentials the sender and media fetcher."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import cached_property

from fastapi import APIRouter

from adapters.base import ChannelLoop, Inbox
from adapters.state import KeyValues, Leases
from adapters.wechat.adapter import WeChatApi, WeChatMediaFetcher
from adapters.wechat.config import WeChatConfig
from adapters.wechat.sender import ProgressLink, WeChatSender
from adapters.wechat.template import parse_fields
from adapters.wechat.token import RedisTokens, SharedTokens, TokenStore
from adapters.wechat.verify import NonceStore
from adapters.wechat.webhook import build_router
from dialogs.vocabulary import Platform

log = logging.getLogger("weiquan.wechat")


class WeChatChannel:
    """What the app mounts of one Official Account.

    Args:
        config: the account; replaced whole when the settings change (tests).
        inbox: the engine.
        nonces: (timestamp, nonce) pairs already seen, against replays.
        clock: the current time (the engine's, so tests move both).
        api: the account's API access, None without credentials (passive replies only).
        sender, fetcher: pushes and media downloads over ``api``.
    """

    name = Platform.WECHAT

    def __init__(
        self, config: WeChatConfig, inbox: Inbox, nonces: NonceStore,
        clock: Callable[[], datetime], *, api: WeChatApi | None = None,
        sender: WeChatSender | None = None, fetcher: WeChatMediaFetcher | None = None,
    ) -> None:
        self.config = config
        self.inbox = inbox
        self.nonces = nonces
        self.clock = clock
        self.api = api
        self.sender = sender
        self.fetcher = fetcher

    @cached_property
    def router(self) -> APIRouter:
        return build_router(self)

    def loops(self) -> list[ChannelLoop]:
        return []

    async def close(self) -> None:
        """Release the replay store's and the shared token store's connections."""
        await self.nonces.close()
        if self.api is not None and isinstance(self.api.tokens, RedisTokens):
            await self.api.tokens.redis.aclose()


def token_store(config: WeChatConfig, api: WeChatApi, values: KeyValues, leases: Leases,
                redis_prefix: str = "weiquan:") -> TokenStore:
    """Redis when ``WEIQUAN_REDIS_URL`` is set, else the shared key-values and leases."""
    if config.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(config.redis_url, decode_responses=True)
        return RedisTokens(redis, f"{redis_prefix}wechat_token:{api.app_id}", api.fetch_token)
    return SharedTokens(values, leases, f"wechat:{api.app_id}", api.fetch_token)


def build_api(config: WeChatConfig, values: KeyValues, leases: Leases) -> WeChatApi:
    """API access with its shared token store (``config.can_push`` must hold)."""
    assert config.app_id and config.app_secret
    api = WeChatApi(config.app_id, config.app_secret, config.api_base_url,
                    config.timeout_seconds)
    api.tokens = token_store(config, api, values, leases)
    return api


def build(
    config: WeChatConfig, inbox: Inbox, nonces: NonceStore, clock: Callable[[], datetime],
    *, values: KeyValues, leases: Leases, progress_link: ProgressLink | None = None,
) -> WeChatChannel:
    """The channel; with API credentials also its sender and fetcher, sharing one token.

    Raises:
        ValueError: ``WEIQUAN_WECHAT_TEMPLATE_FIELDS`` cannot be read.
    """
    if not config.can_push:
        return WeChatChannel(config, inbox, nonces, clock)
    api = build_api(config, values, leases)
    fields = parse_fields(config.template_fields)
    if config.template_id and not fields:
        # Since 2023-05-04 a template shows only its keyword fields: without a mapping
        # the notice would arrive empty, so it waits for the consumer's next message.
        log.warning("WEIQUAN_WECHAT_TEMPLATE_ID is set without WEIQUAN_WECHAT_TEMPLATE_FIELDS;"
                    " template messages are off")
    sender = WeChatSender(api, config.template_id, fields=fields, progress_link=progress_link)
    return WeChatChannel(config, inbox, nonces, clock, api=api, sender=sender,
                         fetcher=WeChatMediaFetcher(api))
