"""Pushed messages to Telegram consumers, and the evidence file downloads."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from telegram import Bot, InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram.outbound import render
from adapters.telegram.pacing import Pacer
from dialogs.delivery import Delivered, NoticeFacts, Recipient, RetryLater, Undeliverable
from dialogs.replies import Reply
from dialogs.vocabulary import Platform

# The Bot API serves files up to 20 MB through getFile.
MAX_FILE_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024
# A document's caption is at most 1,024 characters.
MAX_CAPTION = 1024

#: Turns a reply's ``document`` reference into (file name, bytes), None if there is none.
DocumentSource = Callable[[str], Awaitable[tuple[str, bytes] | None]]


def _retry_after(error: RetryAfter) -> float:
    # python-telegram-bot 22 warns that this becomes a timedelta; accept either.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def send_replies(
    bot: Bot,
    pacer: Pacer,
    chat_id: int,
    replies: list[Reply],
    *,
    per_chat: bool = True,
    documents: DocumentSource | None = None,
) -> int:
    """Send replies to a chat, following a chat migration; returns the chat id used.

    A reply with a ``document`` (the dossier) or an ``attachment`` (the data export)
    goes as ``sendDocument`` with its text as the caption when ``documents`` can produce
    the file; a text too long for a caption goes first, then the file.

    Raises:
        RetryLater: 429 (with Telegram's retry_after), timeouts, 5xx.
        Undeliverable: the user blocked the bot, or Telegram refused the message.
    """
    for reply in replies:
        ref = reply.document or reply.attachment
        found = await documents(ref) if documents and ref else None
        if found is not None and len(reply.text) <= MAX_CAPTION and not reply.choices:
            await pacer.wait(chat_id, per_chat=per_chat)
            await _send_document(bot, chat_id, reply.text, *found)
            continue
        for kwargs in render(reply):
            await pacer.wait(chat_id, per_chat=per_chat)
            try:
                await bot.send_message(chat_id=chat_id, **kwargs)
            except ChatMigrated as moved:
                chat_id = int(moved.new_chat_id)
                await pacer.wait(chat_id, per_chat=per_chat)
                await _send_once(bot, chat_id, kwargs)
            except TelegramError as error:
                raise _delivery_error(error) from error
        if found is not None:  # the text (and its buttons) went first
            await pacer.wait(chat_id, per_chat=per_chat)
            await _send_document(bot, chat_id, "", *found)
    return chat_id


async def _send_once(bot: Bot, chat_id: int, kwargs: dict[str, Any]) -> None:
    try:
        await bot.send_message(chat_id=chat_id, **kwargs)
    except TelegramError as error:
        raise _delivery_error(error) from error


async def _send_document(bot: Bot, chat_id: int, caption: str, name: str, data: bytes) -> None:
    try:
        await bot.send_document(
            chat_id=chat_id, document=InputFile(data, filename=name), caption=caption
        )
    except TelegramError as error:
        raise _delivery_error(error) from error


def _delivery_error(error: TelegramError) -> RetryLater | Undeliverable:
    if isinstance(error, RetryAfter):
        return RetryLater(f"Telegram 429: {error.message}", _retry_after(error))
    if isinstance(error, Forbidden):
        return Undeliverable(f"Telegram 403: {error.message}", block_identity=True)
    if isinstance(error, BadRequest):
        return Undeliverable(f"Telegram 400: {error.message}")
    if isinstance(error, NetworkError):  # timeouts, connection errors, 5xx
        return RetryLater(f"Telegram unreachable: {error.message}")
    return RetryLater(f"Telegram error: {error.message}")


class TelegramSender:
    """The outbox worker's route to Telegram consumers."""

    platform = Platform.TELEGRAM

    def __init__(self, bot: Bot, pacer: Pacer) -> None:
        self.bot = bot
        self.pacer = pacer

    async def send(
        self, recipient: Recipient, replies: list[Reply], facts: NoticeFacts | None = None
    ) -> Delivered:
        """Deliver ``replies`` (the whole text: ``facts`` are not needed here)."""
        chat_id = int(recipient.external_id)
        used = await send_replies(self.bot, self.pacer, chat_id, replies)
        return Delivered(via="message", new_external_id=str(used) if used != chat_id else None)


class TelegramMediaFetcher:
    """Downloads evidence through ``getFile`` and the file URL it gives."""

    platform = Platform.TELEGRAM

    def __init__(self, bot: Bot, timeout: float = 60.0) -> None:
        self.bot = bot
        self.timeout = timeout

    async def fetch(self, platform_ref: str, kind: str) -> AsyncIterator[bytes]:
        try:
            file = await self.bot.get_file(platform_ref)
        except BadRequest as error:
            raise Undeliverable(f"Telegram getFile refused: {error.message}") from error
        except TelegramError as error:
            raise _delivery_error(error) from error
        if file.file_size and file.file_size > MAX_FILE_BYTES:
            raise Undeliverable("over the Bot API's 20 MB download limit")
        if not file.file_path:
            raise Undeliverable("Telegram gave no file path")
        url = file.file_path
        if not url.startswith("http"):
            url = f"{self.bot.base_file_url}/{url}"
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                async with http.stream("GET", url) as res:
                    if res.status_code >= 500:
                        raise RetryLater(f"Telegram file server answered {res.status_code}")
                    if res.status_code != 200:
                        raise Undeliverable(f"Telegram file server answered {res.status_code}")
                    async for chunk in res.aiter_bytes(CHUNK):
                        yield chunk
        except httpx.HTTPError as error:
            raise RetryLater(f"Telegram file download failed: {type(error).__name__}") from error
