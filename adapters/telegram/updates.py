"""One Telegram update in, the engine, replies out (the webhook and polling share it)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError

from adapters.base import Inbox
from adapters.telegram import inbound
from adapters.telegram.pacing import Pacer
from adapters.telegram.sender import DocumentSource, send_replies
from dialogs.delivery import RetryLater, Undeliverable
from dialogs.events import ChoicePressed
from dialogs.replies import Reply
from dialogs.texts import t
from dialogs.vocabulary import DEFAULT_LANGUAGE

log = logging.getLogger("weiquan.telegram")

#: The file a reply refers to (the data export, a dossier) for the consumer whose
#: identity id is given, as (file name, bytes); None when there is none.
Documents = Callable[[int, str], Awaitable[tuple[str, bytes] | None]]


class BadUpdate(ValueError):
    """The JSON is not a Telegram update we can read: answered 400, nothing written."""


class UpdateFailed(Exception):
    """The update was applied, but its replies are not out yet: let Telegram redeliver.

    Either sending failed for a passing reason (network, 5xx, 429), or an earlier copy
    of the update is still sending them. The redelivery is answered from the dedupe
    table, so nothing is applied twice and the replies are sent once.
    """


class UpdateHandler:
    """Applies updates through the engine and sends their replies.

    Args:
        bot: the bot the replies go out through.
        pacer: the sending rate.
        inbox: the engine.
        documents: files replies refer to; None sends their text only.
        language: of the notes the channel writes itself (private chats only).
    """

    def __init__(
        self, bot: Bot, pacer: Pacer, inbox: Inbox, *, documents: Documents | None = None,
        language: str = DEFAULT_LANGUAGE,
    ) -> None:
        self.bot = bot
        self.pacer = pacer
        self.inbox = inbox
        self.documents = documents
        self.language = language

    async def apply(self, data: dict[str, Any]) -> None:
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
                note = Reply(t(self.language, "error.private_only"))
                await self._send(event.reply_to, [note])
            return
        outgoing = await self.inbox.handle_push(event)
        if update is None:  # parse() returns an update for every event it makes
            return
        if isinstance(event, ChoicePressed):
            await self._answer_callback(update)
        if outgoing.busy:
            raise UpdateFailed("an earlier copy of this update is sending its replies")
        chat = update.effective_chat
        if chat is None or outgoing.receipt is None:
            return
        try:
            await send_replies(
                self.bot, self.pacer, chat.id, outgoing.replies,
                per_chat=False, documents=self._documents(outgoing.receipt.identity_id),
            )
        except RetryLater as error:
            await self.inbox.not_sent(outgoing.receipt)
            raise UpdateFailed(error.reason) from error
        except Undeliverable as error:
            # Blocked, chat gone, no rights: a redelivery would be refused the same way.
            # The consumer is marked as the outbox worker marks them; Telegram gets 200.
            log.info("telegram refused the replies", extra={"reason": error.reason})
            block = error.reason if error.block_identity else None
            await self.inbox.refused(outgoing.receipt, block_reason=block)
            return
        await self.inbox.delivered(outgoing.receipt)

    def _documents(self, identity_id: int) -> DocumentSource | None:
        """The files the replies refer to, made now (a redelivery makes them again)."""
        documents = self.documents
        if documents is None:
            return None

        async def source(ref: str) -> tuple[str, bytes] | None:
            return await documents(identity_id, ref)

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
