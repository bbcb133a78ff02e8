"""The WeChat access token, shared by every process and refreshed by exactly one.

Each call to ``/cgi-bin/token`` invalidates the previous token after a short grace
period, and the endpoint has a daily quota (2000 calls): processes that each fetched
their own token would log each other out. So the token lives in Redis when
``WEIQUAN_REDIS_URL`` is set, otherwise in the shared key-values (the ``platform_tokens``
table), and a refresh is claimed first (a Redis ``SET NX`` lock, or a lease) — everyone
else waits for the new value.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from adapters.state import KeyValues, Leases
from dialogs.delivery import RetryLater

Fetch = Callable[[], Awaitable[tuple[str, int]]]
"""Fetches a new token from WeChat: returns (token, seconds it is valid)."""

# Refresh this long before WeChat's expiry, so a token never dies in flight.
MARGIN = timedelta(minutes=5)
# A refresher that crashed releases its claim after this long.
LEASE = timedelta(seconds=30)
POLL_SECONDS = 0.05
WAIT_SECONDS = 20.0


class TokenStore(Protocol):
    """Where the shared access token lives."""

    async def get(self) -> str:
        """A valid token, fetched by this process or another one if need be."""
        ...

    async def invalidate(self, token: str) -> None:
        """WeChat refused ``token`` (40001/42001/40014): the next get() fetches anew."""
        ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SharedTokens:
    """The token as a shared value, refreshed by the one process holding the lease.

    Args:
        values: where the token lives (the ``platform_tokens`` table).
        leases: who refreshes it (a lease named ``<name>:refresh``).
        name: the token's key (one per WeChat app id).
        fetch: gets a new token from WeChat.
        clock: the current time (tests pass their own).
    """

    def __init__(
        self, values: KeyValues, leases: Leases, name: str, fetch: Fetch,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.values = values
        self.leases = leases
        self.name = name
        self.lease = f"{name}:refresh"
        self.fetch = fetch
        self.clock = clock
        self._cached: tuple[str, datetime] | None = None
        # Coroutines of one process queue here; processes meet at the lease.
        self._local = asyncio.Lock()

    def _fresh(self, entry: tuple[str, datetime | None] | None) -> tuple[str, datetime] | None:
        if entry is None:
            return None
        value, expires_at = entry
        if value and expires_at is not None and expires_at - MARGIN > self.clock():
            return value, expires_at
        return None

    async def get(self) -> str:
        if cached := self._fresh(self._cached):
            return cached[0]
        async with self._local:
            if cached := self._fresh(self._cached):
                return cached[0]
            self._cached = await self._get_shared()
            return self._cached[0]

    async def _get_shared(self) -> tuple[str, datetime]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        owner = uuid.uuid4().hex
        while True:
            if found := self._fresh(await self.values.get(self.name)):
                return found
            if await self.leases.hold(self.lease, owner, ttl=LEASE):
                try:
                    # Someone may have finished between our read and our claim.
                    if found := self._fresh(await self.values.get(self.name)):
                        return found
                    value, expires_in = await self.fetch()
                    expires_at = self.clock() + timedelta(seconds=expires_in)
                    await self.values.put(self.name, value, expires_at=expires_at)
                    return value, expires_at
                finally:
                    await self.leases.release(self.lease, owner)
            if loop.time() > deadline:
                raise RetryLater("another process is still refreshing the WeChat token")
            await asyncio.sleep(POLL_SECONDS)

    async def invalidate(self, token: str) -> None:
        # Under the local lock, and the shared row first: a coroutine of this process that
        # reads the row meanwhile must not put the refused token back into the cache.
        async with self._local:
            # Only the refused value: a token another process just fetched stays.
            await self.values.expire(self.name, token)
            if self._cached and self._cached[0] == token:
                self._cached = None


_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisTokens:
    """The token in Redis under ``<prefix>wechat_token:<app id>``.

    Args:
        redis: a ``redis.asyncio.Redis`` client (``decode_responses=True``).
        key: the token's key; the refresh lock is ``<key>:lock``.
        fetch: gets a new token from WeChat.
    """

    def __init__(self, redis: Any, key: str, fetch: Fetch) -> None:
        self.redis = redis
        self.key = key
        self.lock_key = f"{key}:lock"
        self.fetch = fetch
        self._local = asyncio.Lock()

    async def get(self) -> str:
        value = await self.redis.get(self.key)
        if value:
            return str(value)
        async with self._local:
            return await self._get_shared()

    async def _get_shared(self) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        owner = uuid.uuid4().hex
        while True:
            value = await self.redis.get(self.key)
            if value:
                return str(value)
            lease_ms = int(LEASE.total_seconds() * 1000)
            if await self.redis.set(self.lock_key, owner, nx=True, px=lease_ms):
                try:
                    # Someone may have finished between our read and our claim.
                    value = await self.redis.get(self.key)
                    if value:
                        return str(value)
                    token, expires_in = await self.fetch()
                    ttl = max(int(expires_in - MARGIN.total_seconds()), 60)
                    await self.redis.set(self.key, token, ex=ttl)
                    return token
                finally:
                    await self.redis.eval(_RELEASE, 1, self.lock_key, owner)
            if loop.time() > deadline:
                raise RetryLater("another process is still refreshing the WeChat token")
            await asyncio.sleep(POLL_SECONDS)

    async def invalidate(self, token: str) -> None:
        await self.redis.eval(_RELEASE, 1, self.key, token)
