"""The WeChat access token, shared by every process and refreshed by exactly one.

Each call to ``/cgi-bin/token`` invalidates the previous token after a short grace
period, and the endpoint has a daily quota (2000 calls): processes that each fetched
their own token would log each other out. So the token lives in Redis when
``WEIQUAN_REDIS_URL`` is set, otherwise in the ``platform_tokens`` table, and a refresh
is claimed first (a Redis ``SET NX`` lock, or the row's ``refreshing_until`` lease
written under a row lock) — everyone else waits for the new value.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from adapters.base import RetryLater
from storage.db import Database
from storage.models import PlatformToken

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


class DatabaseTokens:
    """The token in the ``platform_tokens`` row ``name``.

    Args:
        database: the shared database.
        name: the row's key (one per WeChat app id).
        fetch: gets a new token from WeChat.
        clock: the current time (tests pass their own).
    """

    def __init__(
        self, database: Database, name: str, fetch: Fetch,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.database = database
        self.name = name
        self.fetch = fetch
        self.clock = clock
        self._cached: tuple[str, datetime] | None = None
        # Coroutines of one process queue here; processes meet at the row.
        self._local = asyncio.Lock()

    def _fresh(self, value: str | None, expires_at: datetime | None) -> bool:
        return bool(value) and expires_at is not None and expires_at - MARGIN > self.clock()

    async def get(self) -> str:
        if self._cached and self._fresh(*self._cached):
            return self._cached[0]
        async with self._local:
            if self._cached and self._fresh(*self._cached):
                return self._cached[0]
            value, expires_at = await self._get_shared()
            self._cached = (value, expires_at)
            return value

    async def _get_shared(self) -> tuple[str, datetime]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while True:
            found, claimed = await self._read_or_claim()
            if found is not None:
                return found
            if claimed:
                return await self._refresh()
            if loop.time() > deadline:
                raise RetryLater("another process is still refreshing the WeChat token")
            await asyncio.sleep(POLL_SECONDS)

    async def _read_or_claim(self) -> tuple[tuple[str, datetime] | None, bool]:
        async with self.database.transaction() as session:
            conn = await session.connection()
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            await session.execute(
                dialect.insert(PlatformToken).values(name=self.name).on_conflict_do_nothing()
            )
            # PostgreSQL: FOR UPDATE makes the check-and-claim atomic across processes;
            # SQLite ignores it but every transaction holds the write lock (BEGIN IMMEDIATE).
            row = (
                await session.execute(
                    select(
                        PlatformToken.value, PlatformToken.expires_at,
                        PlatformToken.refreshing_until,
                    )
                    .where(PlatformToken.name == self.name)
                    .with_for_update()
                )
            ).one()
            now = self.clock()
            if row.value and row.expires_at is not None and self._fresh(row.value, row.expires_at):
                return (row.value, row.expires_at), False
            if row.refreshing_until is not None and row.refreshing_until > now:
                return None, False
            await session.execute(
                update(PlatformToken)
                .where(PlatformToken.name == self.name)
                .values(refreshing_until=now + LEASE)
            )
            return None, True

    async def _refresh(self) -> tuple[str, datetime]:
        try:
            value, expires_in = await self.fetch()
        except BaseException:
            await self._write(refreshing_until=None)
            raise
        expires_at = self.clock() + timedelta(seconds=expires_in)
        await self._write(value=value, expires_at=expires_at, refreshing_until=None)
        return value, expires_at

    async def _write(self, **values: Any) -> None:
        async with self.database.transaction() as session:
            await session.execute(
                update(PlatformToken).where(PlatformToken.name == self.name).values(**values)
            )

    async def invalidate(self, token: str) -> None:
        if self._cached and self._cached[0] == token:
            self._cached = None
        # Only the refused value: a token another process just fetched stays.
        async with self.database.transaction() as session:
            await session.execute(
                update(PlatformToken)
                .where(PlatformToken.name == self.name, PlatformToken.value == token)
                .values(expires_at=None)
            )


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
