"""Long polling: a person with only a bot token runs the bot from a laptop.

``getUpdates`` with the offset stored in the database (``platform_tokens`` row
``telegram_offset``), so a restart does not replay what was already acknowledged;
anything replayed anyway is answered from the dedupe table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from telegram.error import TelegramError

from adapters.telegram.channel import BadUpdate, TelegramChannel, UpdateFailed
from bots.background import register, sleep_or_stop
from bots.services import Services
from storage.models import PlatformToken

log = logging.getLogger("weiquan.telegram")
OFFSET = "telegram_offset"
POLLER = "telegram_poller"
# Telegram answers 409 to a second getUpdates caller: one process polls, under a lease
# in the database that another process takes over when the holder stops renewing it.
POLLER_LEASE = timedelta(seconds=90)
# After replies could not be sent, wait before fetching the same update again: the
# cause (a 429, an outage, a claim left by a crashed process) does not pass at once.
RETRY_PAUSE_SECONDS = 1.0


async def hold_poller_lease(services: Services, holder: str) -> bool:
    """Take or renew the right to poll; False while another process holds it."""
    now = datetime.now(UTC)
    async with services.database.transaction() as session:
        row = await session.get(PlatformToken, POLLER, with_for_update=True)
        if row is None:
            session.add(PlatformToken(name=POLLER, value=holder, expires_at=now + POLLER_LEASE))
            return True
        if row.value != holder and row.expires_at is not None and row.expires_at > now:
            return False
        row.value = holder
        row.expires_at = now + POLLER_LEASE
        return True


async def load_offset(services: Services) -> int | None:
    async with services.database.sessions() as session:
        value = await session.scalar(
            select(PlatformToken.value).where(PlatformToken.name == OFFSET)
        )
    return int(value) if value else None


async def save_offset(services: Services, offset: int) -> None:
    async with services.database.transaction() as session:
        row = await session.get(PlatformToken, OFFSET, with_for_update=True)
        if row is None:
            session.add(PlatformToken(name=OFFSET, value=str(offset)))
        elif int(row.value or 0) < offset:
            row.value = str(offset)


async def poll_once(services: Services, channel: TelegramChannel, wait_seconds: int = 30) -> int:
    """Fetch and apply one batch of updates; returns how many were applied."""
    offset = await load_offset(services)
    updates = await channel.bot.get_updates(
        offset=offset, timeout=wait_seconds, allowed_updates=["message", "callback_query"]
    )
    for update in updates:
        data = update.to_dict()
        try:
            await channel.apply(services.engine, data)
        except UpdateFailed as failed:
            # Stop here and fetch the same update again: replies come from the dedupe table.
            log.warning("telegram replies not sent", extra={"reason": str(failed)})
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            return 0
        except BadUpdate:
            log.warning("telegram update skipped", extra={"update": update.update_id})
        await save_offset(services, update.update_id + 1)
    return len(updates)


@register
async def telegram_polling(services: Services, stop: asyncio.Event) -> None:
    """Long-poll Telegram when a token is set and no webhook URL is (``weiquan serve``)."""
    channel = services.channels.get("telegram")
    settings = services.settings
    if channel is None or settings.telegram_webhook_url:
        return
    holder = f"{socket.gethostname()}:{os.getpid()}:{id(services)}"
    while not await hold_poller_lease(services, holder):
        if await sleep_or_stop(stop, POLLER_LEASE.total_seconds() / 3):
            return
    try:
        await channel.bot.delete_webhook()  # getUpdates is refused while a webhook is set
    except TelegramError as error:
        log.warning("deleteWebhook failed", extra={"error": str(error)})
    while not stop.is_set():
        try:
            if not await hold_poller_lease(services, holder):
                log.warning("another process took over Telegram polling")
                if await sleep_or_stop(stop, POLLER_LEASE.total_seconds() / 3):
                    return
                continue
            poll = asyncio.create_task(poll_once(services, channel))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not poll.done():
                # Wait for the cancelled poll to unwind: left running, it could still be
                # inside a database transaction when the services close under it.
                poll.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await poll
                return
            stopping.cancel()
            poll.result()
        except Exception:
            log.exception("telegram polling failed; retrying")
            if await sleep_or_stop(stop, 5):
                return
