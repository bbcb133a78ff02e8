"""The Telegram channel: the webhook or long polling, the sender and the media fetcher."""

from __future__ import annotations

import os
import socket
from functools import cached_property

from fastapi import APIRouter
from redis.asyncio import Redis
from telegram import Bot

from adapters.base import ChannelLoop, Inbox
from adapters.state import KeyValues, Leases
from adapters.telegram.bot import build_bot
from adapters.telegram.config import TelegramConfig
from adapters.telegram.pacing import LocalPacer, Pacer, RedisPacer
from adapters.telegram.polling import Poller
from adapters.telegram.sender import TelegramMediaFetcher, TelegramSender
from adapters.telegram.updates import Documents, UpdateHandler
from adapters.telegram.webhook import build_router
from dialogs.vocabulary import Platform


class TelegramChannel:
    """What the app mounts of one bot.

    Args:
        config: the bot.
        bot: python-telegram-bot's client for it.
        pacer: the sending rate, shared by replies and notices.
        updates: applies updates through the engine.
        values, leases: keep the polling offset and decide which process polls.
        redis: the pacer's Redis client, closed with the channel.
    """

    name = Platform.TELEGRAM

    def __init__(
        self, config: TelegramConfig, bot: Bot, pacer: Pacer, updates: UpdateHandler,
        *, values: KeyValues, leases: Leases, redis: Redis | None = None,
    ) -> None:
        self.config = config
        self.bot = bot
        self.pacer = pacer
        self.updates = updates
        self.values = values
        self.leases = leases
        self.redis = redis

    @cached_property
    def sender(self) -> TelegramSender:
        return TelegramSender(self.bot, self.pacer)

    @cached_property
    def fetcher(self) -> TelegramMediaFetcher:
        return TelegramMediaFetcher(self.bot)

    @cached_property
    def router(self) -> APIRouter:
        return build_router(self.updates, self.config.webhook_secret)

    @cached_property
    def poller(self) -> Poller:
        """Long polling for this process (one holder name per channel object)."""
        holder = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        return Poller(self.bot, self.updates, self.values, self.leases, holder)

    def loops(self) -> list[ChannelLoop]:
        """Long polling when no webhook URL is set (``weiquan serve``)."""
        return [] if self.config.webhook_url else [self.poller.loop()]

    async def close(self) -> None:
        """Release the HTTP clients (and Redis) this channel holds."""
        await self.bot.shutdown()
        if self.redis is not None:
            await self.redis.aclose()


def build(
    config: TelegramConfig, inbox: Inbox, *, values: KeyValues, leases: Leases,
    documents: Documents | None = None,
) -> TelegramChannel:
    """The bot, pacing shared through Redis when configured."""
    bot = build_bot(config)
    redis: Redis | None = None
    pacer: Pacer
    if config.redis_url:
        redis = Redis.from_url(config.redis_url)
        pacer = RedisPacer(redis, overall=config.messages_per_second)
    else:
        pacer = LocalPacer(config.messages_per_second)
    updates = UpdateHandler(bot, pacer, inbox, documents=documents, language=config.language)
    return TelegramChannel(config, bot, pacer, updates, values=values, leases=leases,
                           redis=redis)
