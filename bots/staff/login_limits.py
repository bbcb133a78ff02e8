"""Failed staff sign-ins per username and client address, in a moving window.

One algorithm whatever holds the state: the ``limits`` library's moving window over its
in-process memory storage, or over Redis (``WEIQUAN_REDIS_URL``) so that every process
shares the count and more replicas do not multiply an attacker's guesses. Entries leave
only when their window has passed (or the account signs in): failing with thousands of
other usernames evicts nothing. The key includes the username whether or not the
account exists, so the limit itself reveals nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
KEY_PREFIX = "weiquan:login"


class LoginLimiter:
    """At most ``max_failures`` failed sign-ins per username and address per window."""

    def __init__(
        self,
        storage: Storage | None = None,
        *,
        max_failures: int = MAX_FAILURES,
        window_seconds: int = WINDOW_SECONDS,
    ) -> None:
        self.window = window_seconds
        self._item = RateLimitItemPerSecond(max_failures, window_seconds, namespace="failures")
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())

    @staticmethod
    def _key(username: str, address: str) -> tuple[str, str]:
        # Quoted: the storage joins the parts with "/", which a username may contain.
        return quote(username.lower()[:64], safe=""), quote(address, safe="")

    async def blocked(self, username: str, address: str) -> bool:
        """Whether this name and address have used up their attempts."""
        return not await self._limiter.test(self._item, *self._key(username, address))

    async def failed(self, username: str, address: str) -> None:
        """Count a failed sign-in."""
        await self._limiter.hit(self._item, *self._key(username, address))

    async def succeeded(self, username: str, address: str) -> None:
        """Forget the failures of a name and address that signed in."""
        await self._limiter.clear(self._item, *self._key(username, address))


def redis_storage(url: str, connection_pool: Any, key_prefix: str = KEY_PREFIX) -> RedisStorage:
    """Moving-window storage in Redis over ``connection_pool`` (closed by its owner)."""
    return RedisStorage(
        f"async+{url}",
        implementation="redispy",
        key_prefix=key_prefix,
        connection_pool=connection_pool,
    )
