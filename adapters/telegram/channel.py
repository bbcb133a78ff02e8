"""The Telegram channel: one update in, the engine, replies out (webhook and polling)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError

from adapters.base import RetryLater, Undeliverable
from adapters.telegram import inbound
from adapters.telegram.bot import build_bot
from adapters.telegram.pacing import LocalPacer, Pacer, RedisPacer
from adapters.telegram.sender import (
    DocumentSource,
    TelegramMediaFetcher,
    TelegramSender,
    send_replies,
)
from bots.settings import Settings
from dialogs.events import ChoicePressed, Reply
from dialogs.texts import t
from storage import my_data

log = logging.getLogger("weiquan.telegram")


class BadUpdate(ValueError):
    """The JSON is not a Telegram update we can read: answered 400, nothing written."""


class UpdateFailed(Exception):
    """The update was applied, but its replies are not out yet: let Telegram redeliver.

    Either sending failed for a passing reason (network, 5xx, 429), or an earlier copy
    of the update is still sending them. The redelivery is answered from the dedupe
    table, so nothing is applied twice and the replies are sent once.
    """


@dataclass
class TelegramChannel:
    """What the rest of Weiquan uses of the Telegram channel."""

    settings: Settings
    bot: Bot
    pacer: Pacer
    redis: Any = None
    # Files replies refer to (the consumer's dossier); set when the services are built.
    documents: DocumentSource | None = None

    @property
    def sender(self) -> TelegramSender:
        return TelegramSender(self.bot, self.pacer)

    @property
    def fetcher(self) -> TelegramMediaFetcher:
        return TelegramMediaFetcher(self.bot)

    async def apply(self, engine: Any, data: dict[str, Any]) -> None:
        """Apply one update through the engine and send its replies.

        Raises:
            BadUpdate: the data is not a Telegram update.
            UpdateFailed: the replies could not be sent (Telegram should redeliver).
        """
        try:
            update, event = inbound.parse(data, self.bot)
        except (TypeError, KeyError, ValueError, AttributeError, OverflowError) as exc:
            raise BadUpdate(str(exc)[:200]) from exc
        if isinstance(event, inbound.Ignored):
            if update is not None and update.callback_query is not None:
                await self._answer_callback(update)
            if event.reply_to is not None:
                # Complaints carry personal data: they are taken in private chats only.
                note = Reply(t(self.settings.language, "error.private_only"))
                await self._send(event.reply_to, [note])
            return
        outgoing = await engine.handle_push(event)
        if update is None:  # parse() returns an update for every event it makes
            return
        if isinstance(event, ChoicePressed):
            await self._answer_callback(update)
        if outgoing.busy:
            raise UpdateFailed("an earlier copy of this update is sending its replies")
        chat = update.effective_chat
        if chat is None or outgoing.receipt is None:
            return
        documents = self._documents(engine, outgoing.receipt.identity_id)
        try:
            await send_replies(
                self.bot, self.pacer, chat.id, outgoing.replies,
                per_chat=False, documents=documents,
            )
        except RetryLater as error:
            await engine.not_sent(outgoing.receipt)
            raise UpdateFailed(error.reason) from error
        except Undeliverable as error:
            # Blocked, chat gone, no rights: a redelivery would be refused the same way.
            # The consumer is marked as the outbox worker marks them; Telegram gets 200.
            log.info("telegram refused the replies", extra={"reason": error.reason})
            block = error.reason if error.block_identity else None
            await engine.refused(outgoing.receipt, block_reason=block)
            return
        await engine.delivered(outgoing.receipt)

    def _documents(self, engine: Any, identity_id: int) -> DocumentSource:
        """Files the replies refer to: the consumer's data export (made now, so a
        redelivery makes it again) and whatever ``self.documents`` knows (dossiers)."""

        async def source(ref: str) -> tuple[str, bytes] | None:
            if ref == "my_data":
                async with engine.database.sessions() as session:
                    document = await my_data.export(
                        session=session, cipher=engine.cipher, identity_id=identity_id,
                        now=engine.clock(),
                    )  # fmt: skip
                return "my-data.json", my_data.to_json(document)
            return await self.documents(ref) if self.documents else None

        return source

    async def _answer_callback(self, update: Update) -> None:
        """Stop the pressed button's spinner; harmless if it fails."""
        if update.callback_query is None:
            return
        try:
            await update.callback_query.answer()
        except TelegramError:
            log.info("callback answer failed", extra={"update": update.update_id})

    async def _send(self, chat_id: int, replies: list[Reply]) -> None:
        try:
            await send_replies(self.bot, self.pacer, chat_id, replies, per_chat=False)
        except RetryLater as error:
            raise UpdateFailed(error.reason) from error
        except Undeliverable as error:
            log.info("telegram refused a note", extra={"reason": error.reason})

    async def close(self) -> None:
        """Release the HTTP clients (and Redis) this channel holds."""
        await self.bot.shutdown()
        if self.redis is not None:
            await self.redis.aclose()


def configured(settings: Settings) -> bool:
    return bool(settings.telegram_token)


def build(settings: Settings) -> TelegramChannel:
    """The bot, pacing shared through Redis when configured."""
    bot = build_bot(settings)
    if settings.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
        pacer = RedisPacer(redis, overall=settings.telegram_messages_per_second)
        return TelegramChannel(settings, bot, pacer, redis)
    return TelegramChannel(settings, bot, LocalPacer(settings.telegram_messages_per_second))
