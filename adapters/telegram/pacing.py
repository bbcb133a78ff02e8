"""Telegram's send limits, shared by every process of a deployment.

Telegram allows about 30 messages per second overall and 1 per second per chat; past
that it answers 429. ``AIORateLimiter`` has no per-chat limit and pauses everything on
one 429, so we pace ourselves: in process memory, or in Redis when several processes
send (``WEIQUAN_REDIS_URL``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any, Protocol

# Telegram's limit is 30/s; a message's arrival at Telegram lags our clock a little,
# so pacing at exactly 30 draws 429s (each costing a second). 29 keeps clear of them.
OVERALL_PER_SECOND = 29
PER_CHAT_SECONDS = 1.0
# Messages a sender may run ahead of the even spacing after a pause.
BURST = 4


class Pacer(Protocol):
    async def wait(self, chat_id: int, *, per_chat: bool = True) -> None:
        """Return when one more message to ``chat_id`` is within the limits."""
        ...


class LocalPacer:
    """Limits for a single process."""

    def __init__(self, overall: int = OVERALL_PER_SECOND, per_chat: float = PER_CHAT_SECONDS):
        self.overall = overall
        self.per_chat = per_chat
        # Evenly spaced, not in bursts of ``overall``: such a burst reaches Telegram with
        # the network's jitter, and its first message can fall inside the previous
        # burst's second (429). A few messages of slack (GCRA) let a sender that paused
        # catch up, so gaps between the worker's batches do not cost throughput.
        self.spacing = 1 / overall
        self.slack = BURST * self.spacing
        self._due = float("-inf")
        self._sent: deque[float] = deque()
        self._chat_free: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: int, *, per_chat: bool = True) -> None:
        while True:
            async with self._lock:
                now = time.monotonic()
                while self._sent and self._sent[0] <= now - 1:
                    self._sent.popleft()
                delay = self._chat_free.get(chat_id, 0.0) - now if per_chat else 0.0
                if len(self._sent) >= self.overall:
                    delay = max(delay, self._sent[0] + 1 - now)
                delay = max(delay, self._due - self.slack - now)
                if delay <= 0:
                    self._due = max(self._due, now) + self.spacing
                    self._sent.append(now)
                    self._chat_free[chat_id] = now + self.per_chat
                    if len(self._chat_free) > 10_000:
                        self._chat_free = {c: t for c, t in self._chat_free.items() if t > now}
                    return
            await asyncio.sleep(delay)


class RedisPacer:
    """Limits shared through Redis: a counter per second and a one-second key per chat."""

    def __init__(
        self,
        redis: Any,
        prefix: str = "weiquan:tg",
        overall: int = OVERALL_PER_SECOND,
        per_chat: float = PER_CHAT_SECONDS,
    ):
        self.redis = redis
        self.prefix = prefix
        self.overall = overall
        self.per_chat_ms = int(per_chat * 1000)

    async def wait(self, chat_id: int, *, per_chat: bool = True) -> None:
        if per_chat:
            key = f"{self.prefix}:chat:{chat_id}"
            while not await self.redis.set(key, 1, nx=True, px=self.per_chat_ms):
                ttl = await self.redis.pttl(key)
                await asyncio.sleep(max(ttl, 10) / 1000)
        while True:
            second = int(time.time())
            key = f"{self.prefix}:all:{second}"
            count = await self.redis.incr(key)
            if count == 1:
                await self.redis.expire(key, 3)
            if count <= self.overall:
                return
            await asyncio.sleep(max(0.01, second + 1 - time.time()))
