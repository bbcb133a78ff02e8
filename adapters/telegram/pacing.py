"""Telegram's send limits, shared by every process of a deployment.

Telegram allows about 30 messages per second overall and 1 per second per chat; past
that it answers 429. ``AIORateLimiter`` has no per-chat limit and pauses everything on
one 429, so we pace ourselves: in process memory, or in Redis when several processes
send (``WEIQUAN_REDIS_URL``). Both pacers run the same rules (:class:`Limits`); the
Redis one runs them as one Lua script, atomically, on Redis's clock.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

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


@dataclass(frozen=True)
class Limits:
    """The rules a message must pass, all at once, before it may be sent.

    - Evenly spaced, ``1 / overall`` apart, not in bursts of ``overall``: such a burst
      reaches Telegram with the network's jitter, and its first message can fall inside
      the previous burst's second (429). ``burst`` messages of slack (GCRA: the
      theoretical arrival time may run that far ahead of now) let a sender that paused
      catch up, so gaps between the worker's batches do not cost throughput.
    - Never more than ``overall`` in any one second, slack included. A message this
      rule held back uses the slack up, so the messages queued behind it go on evenly
      spaced instead of together the moment the second turns.
    - One message per ``per_chat`` seconds to the same chat.
    """

    overall: int = OVERALL_PER_SECOND
    per_chat: float = PER_CHAT_SECONDS
    burst: int = BURST

    @property
    def spacing(self) -> float:
        return 1 / self.overall

    @property
    def slack(self) -> float:
        return self.burst * self.spacing


class LocalPacer:
    """The limits for a single process."""

    def __init__(
        self,
        overall: int = OVERALL_PER_SECOND,
        per_chat: float = PER_CHAT_SECONDS,
        burst: int = BURST,
    ):
        self.limits = Limits(overall, per_chat, burst)
        self._due = float("-inf")  # the theoretical arrival time of the next message
        self._sent: deque[float] = deque()  # the last ``overall`` sends
        self._chat_free: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: int, *, per_chat: bool = True) -> None:
        limits = self.limits
        while True:
            async with self._lock:
                now = time.monotonic()
                delay = self._chat_free.get(chat_id, 0.0) - now if per_chat else 0.0
                # When the oldest of the last ``overall`` sends leaves the one-second window.
                window_free = float("-inf")
                if len(self._sent) >= limits.overall:
                    window_free = self._sent[0] + 1
                delay = max(delay, window_free - now, self._due - limits.slack - now)
                if delay <= 0:
                    self._due = max(self._due, now, window_free + limits.slack) + limits.spacing
                    self._sent.append(now)
                    if len(self._sent) > limits.overall:
                        self._sent.popleft()
                    self._chat_free[chat_id] = now + limits.per_chat
                    if len(self._chat_free) > 10_000:
                        self._chat_free = {c: t for c, t in self._chat_free.items() if t > now}
                    return
            await asyncio.sleep(delay)


# The same steps as LocalPacer.wait, on Redis's clock, in one atomic script. It answers
# "0" when the message may go (and records it) or the seconds to wait, as text: Lua
# numbers come back to the client truncated to integers.
#   KEYS: due (a number), sent (a list of the last ``overall`` send times), chat (a number)
#   ARGV: spacing, slack, overall, per_chat seconds, "1" to apply the per-chat limit
_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local spacing, slack = tonumber(ARGV[1]), tonumber(ARGV[2])
local overall, per_chat = tonumber(ARGV[3]), tonumber(ARGV[4])
local delay = 0
if ARGV[5] == '1' then
  delay = tonumber(redis.call('GET', KEYS[3]) or '0') - now
end
local window_free = 0
if redis.call('LLEN', KEYS[2]) >= overall then
  window_free = tonumber(redis.call('LINDEX', KEYS[2], -1)) + 1
end
local due = tonumber(redis.call('GET', KEYS[1]) or '0')
delay = math.max(delay, window_free - now, due - slack - now)
if delay > 0 then
  return string.format('%.6f', delay)
end
due = math.max(due, now, window_free + slack) + spacing
redis.call('SET', KEYS[1], string.format('%.6f', due), 'PX', 60000)
redis.call('LPUSH', KEYS[2], string.format('%.6f', now))
redis.call('LTRIM', KEYS[2], 0, overall - 1)
redis.call('PEXPIRE', KEYS[2], 2000)
redis.call('SET', KEYS[3], string.format('%.6f', now + per_chat),
           'PX', math.max(1, math.ceil(per_chat * 1000)))
return '0'
"""


class RedisPacer:
    """The limits shared through Redis by every process that sends.

    The keys share one hash tag (``{prefix}``), so a Redis Cluster keeps them in one slot.
    """

    def __init__(
        self,
        redis: Redis,
        prefix: str = "weiquan:tg",
        overall: int = OVERALL_PER_SECOND,
        per_chat: float = PER_CHAT_SECONDS,
        burst: int = BURST,
    ):
        self.limits = Limits(overall, per_chat, burst)
        self._keys = f"{{{prefix}}}"
        self._script = redis.register_script(_SCRIPT)

    async def wait(self, chat_id: int, *, per_chat: bool = True) -> None:
        limits = self.limits
        keys = [f"{self._keys}:due", f"{self._keys}:sent", f"{self._keys}:chat:{chat_id}"]
        args = [limits.spacing, limits.slack, limits.overall, limits.per_chat, int(per_chat)]
        while True:
            delay = float(await self._script(keys=keys, args=args))
            if delay <= 0:
                return
            await asyncio.sleep(delay)
