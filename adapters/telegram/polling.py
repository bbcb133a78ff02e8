"""Long polling: a person with only a bot token runs the bot from a laptop.

``getUpdates`` with the offset kept in the shared key-values (``telegram_offset``), so
a restart does not replay what was already acknowledged; anything replayed anyway is
answered from the dedupe table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import TelegramError

from adapters.base import ChannelLoop
from adapters.state import KeyValues, Leases
from adapters.telegram.updates import BadUpdate, UpdateFailed, UpdateHandler

log = logging.getLogger("weiquan.telegram")
OFFSET = "telegram_offset"
POLLER = "telegram_poller"
# Telegram answers 409 to a second getUpdates caller: one process polls, under a lease
# that another process takes over when the holder stops renewing it. The holder gives
# the lease up when it stops, so a restart polls at once; a process that died without
# doing so is replaced when the lease runs out.
POLLER_LEASE = timedelta(seconds=90)
# After replies could not be sent, wait before fetching the same update again: the
# cause (a 429, an outage, a claim left by a crashed process) does not pass at once.
RETRY_PAUSE_SECONDS = 1.0
# How often a process that does not hold the lease checks whether it is free.
STANDBY_SECONDS = 5.0


class Poller:
    """Long-polls for one process while it holds the polling lease.

    Args:
        bot: the bot whose updates are fetched.
        updates: applies each update.
        values: keeps the offset.
        leases: decides which process polls.
        holder: this process's name in the lease.
    """

    def __init__(self, bot: Bot, updates: UpdateHandler, values: KeyValues, leases: Leases,
                 holder: str) -> None:
        self.bot = bot
        self.updates = updates
        self.values = values
        self.leases = leases
        self.holder = holder
        self._webhook_removed = False

    def loop(self) -> ChannelLoop:
        """The loop the app runs: a poll per step, the lease given up at the end."""
        return ChannelLoop("telegram polling", self.step, self.release)

    async def hold_lease(self) -> bool:
        """Take or renew the right to poll; False while another process holds it."""
        return await self.leases.hold(POLLER, self.holder, ttl=POLLER_LEASE)

    async def release(self) -> None:
        """Give the right to poll up, so the next process (a restart) need not wait it out."""
        await self.leases.release(POLLER, self.holder)

    async def load_offset(self) -> int | None:
        entry = await self.values.get(OFFSET)
        return int(entry[0]) if entry else None

    async def save_offset(self, offset: int) -> None:
        stored = await self.load_offset()
        if stored is None or stored < offset:
            await self.values.put(OFFSET, str(offset))

    async def poll_once(self, wait_seconds: int = 30) -> int:
        """Fetch and apply one batch of updates; returns how many were applied."""
        offset = await self.load_offset()
        batch = await self.bot.get_updates(
            offset=offset, timeout=wait_seconds, allowed_updates=["message", "callback_query"]
        )
        for update in batch:
            try:
                await self.updates.apply(update.to_dict())
            except UpdateFailed as failed:
                # Stop here and fetch the same update again: replies come from the dedupe
                # table.
                log.warning("telegram replies not sent", extra={"reason": str(failed)})
                await asyncio.sleep(RETRY_PAUSE_SECONDS)
                return 0
            except BadUpdate:
                log.warning("telegram update skipped", extra={"update": update.update_id})
            await self.save_offset(update.update_id + 1)
        return len(batch)

    async def step(self, stop: asyncio.Event) -> float:
        """One long poll while holding the lease; otherwise wait on standby."""
        if not await self.hold_lease():
            if self._webhook_removed:
                log.warning("another process took over Telegram polling")
                self._webhook_removed = False
            return STANDBY_SECONDS
        if not self._webhook_removed:
            await self._delete_webhook()
            self._webhook_removed = True
        await self._poll_or_stop(stop)
        return 0

    async def _delete_webhook(self) -> None:
        try:
            await self.bot.delete_webhook()  # getUpdates is refused while a webhook is set
        except TelegramError as error:
            log.warning("deleteWebhook failed", extra={"error": str(error)})

    async def _poll_or_stop(self, stop: asyncio.Event) -> None:
        """One long poll, cut short when the loop is stopped first."""
        poll = asyncio.create_task(self.poll_once())
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
        if not poll.cancelled():
            poll.result()
