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
from bots.delivery.background import register, sleep_or_stop
from bots.ops.outage import Outage
from bots.services import Services
from storage.models import PlatformToken

log = logging.getLogger("weiquan.telegram")
OFFSET = "telegram_offset"
POLLER = "telegram_poller"
# Telegram answers 409 to a second getUpdates caller: one process polls, under a lease
# in the database that another process takes over when the holder stops renewing it.
# The holder gives the lease up when it stops, so a restart polls at once; a process
# that died without doing so is replaced when the lease runs out.
POLLER_LEASE = timedelta(seconds=90)
# After replies could not be sent, wait before fetching the same update again: the
# cause (a 429, an outage, a claim left by a crashed process) does not pass at once.
RETRY_PAUSE_SECONDS = 1.0
# How often a process that does not hold the lease checks whether it is free.
STANDBY_SECONDS = 5.0
RELEASE_TIMEOUT_SECONDS = 5.0


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


async def release_poller_lease(services: Services, holder: str) -> None:
    """Give the right to poll up, so the next process (a restart) need not wait it out."""
    async with services.database.transaction() as session:
        row = await session.get(PlatformToken, POLLER, with_for_update=True)
        if row is not None and row.value == holder:
            row.expires_at = datetime.now(UTC)


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
    try:
        await _poll_while_holding(services, channel, holder, stop)
    finally:
        # Also when cancelled at shutdown; a database that is down must not hold it up.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(RELEASE_TIMEOUT_SECONDS):
                await release_poller_lease(services, holder)


async def _poll_while_holding(
    services: Services, channel: TelegramChannel, holder: str, stop: asyncio.Event
) -> None:
    outage = Outage("telegram polling")
    webhook_removed = False
    while not stop.is_set():
        try:
            if not await hold_poller_lease(services, holder):
                if webhook_removed:
                    log.warning("another process took over Telegram polling")
                    webhook_removed = False
                if await sleep_or_stop(stop, STANDBY_SECONDS):
                    return
                continue
            if not webhook_removed:
                await _delete_webhook(channel)
                webhook_removed = True
            if not await _poll_or_stop(services, channel, stop):
                return
            outage.recovered()
        except Exception as exc:
            outage.failed(exc)
            if await sleep_or_stop(stop, 5):
                return


async def _delete_webhook(channel: TelegramChannel) -> None:
    try:
        await channel.bot.delete_webhook()  # getUpdates is refused while a webhook is set
    except TelegramError as error:
        log.warning("deleteWebhook failed", extra={"error": str(error)})


async def _poll_or_stop(services: Services, channel: TelegramChannel, stop: asyncio.Event) -> bool:
    """One long poll; False when the loop was stopped first."""
    poll = asyncio.create_task(poll_once(services, channel))
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not poll.done():
            # Wait for the cancelled poll to unwind: left running, it could still be
            # inside a database transaction when the services close under it.
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await poll
    if poll.cancelled():
        return False
    poll.result()
    return True
