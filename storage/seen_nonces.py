"""Seen (timestamp, nonce) pairs of signed webhooks, shared by every process.

A captured WeChat request stays correctly signed for the whole replay window, and in
plain mode the signature does not even cover the body. Remembering each pair for the
window, with a digest of its body, lets WeChat's own retries (the same body) through
and refuses the same pair carrying anything else.

The pairs live in Redis when ``WEIQUAN_REDIS_URL`` is set (``SET NX`` with an expiry),
else in the ``seen_nonces`` table (expired rows are overwritten and pruned). Both
keep the WeChat channel's ``NonceStore`` contract (``adapters/wechat/verify.py``).

On PostgreSQL a claim is one autocommitted statement on the asyncpg connection (it ran
on every signed webhook as an ORM transaction of four round trips, as much CPU as the
message's whole turn); a second statement reads the stored digest only when the pair
was there already. SQLite does the same on the aiosqlite connection, each statement
autocommitted in this process's writer turn (through an ORM transaction a claim cost
5 ms of CPU, more than the message it guarded; now 0.7 ms, ``bench/RESULTS.md``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.db import Database, raw_aiosqlite, raw_asyncpg
from storage.sqlite_turn import stamp

# Expired rows are deleted at most this often per process: a delete per request would
# double the writes of the webhook's hot path for rows nobody reads again.
PRUNE_EVERY = 60.0


# Inserts the pair, or takes over its row once the row's time is over; returns the
# digest only when this statement wrote it.
_CLAIM_PG = """
INSERT INTO seen_nonces (key, digest, expires_at) VALUES ($1, $2, $3)
ON CONFLICT (key) DO UPDATE SET digest = excluded.digest, expires_at = excluded.expires_at
WHERE seen_nonces.expires_at <= $4
RETURNING digest
"""
# A fresh statement sees a pair another process committed while we waited on its row.
_STORED_PG = "SELECT digest FROM seen_nonces WHERE key = $1"
_PRUNE_PG = "DELETE FROM seen_nonces WHERE expires_at <= $1"
# The same on SQLite's aiosqlite connection, one thread hop a statement, timestamps in
# SQLAlchemy's text form so that they compare with the rows it wrote.
_CLAIM_SQLITE = """
INSERT INTO seen_nonces (key, digest, expires_at) VALUES (:key, :digest, :expires_at)
ON CONFLICT (key) DO UPDATE SET digest = excluded.digest, expires_at = excluded.expires_at
WHERE seen_nonces.expires_at <= :now
RETURNING digest
"""
_STORED_SQLITE = "SELECT digest FROM seen_nonces WHERE key = :key"
_PRUNE_SQLITE = "DELETE FROM seen_nonces WHERE expires_at <= :now"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DatabaseNonces:
    """Pairs in the ``seen_nonces`` table.

    Args:
        database: the shared database.
        clock: the current time (tests pass their own).
    """

    def __init__(self, database: Database, clock: Callable[[], datetime] = _utcnow) -> None:
        self.database = database
        self.clock = clock
        self._pruned_at = float("-inf")

    def _prune_due(self) -> bool:
        if time.monotonic() - self._pruned_at > PRUNE_EVERY:
            self._pruned_at = time.monotonic()
            return True
        return False

    async def claim(self, key: str, digest: str, *, ttl: int) -> bool:
        now = self.clock()
        expires_at = now + timedelta(seconds=max(ttl, 1))
        if self.database.engine.dialect.name == "postgresql":
            return await self._claim_pg(key, digest, expires_at, now)
        return await self._claim_sqlite(key, digest, expires_at, now)

    async def _claim_sqlite(
        self, key: str, digest: str, expires_at: datetime, now: datetime
    ) -> bool:
        values = {"key": key, "digest": digest, "expires_at": stamp(expires_at),
                  "now": stamp(now)}
        async with self.database.writer(), self.database.engine.connect() as conn:
            raw = await raw_aiosqlite(conn)
            rows = await raw.execute_fetchall(_CLAIM_SQLITE, values)
            if not rows:
                rows = await raw.execute_fetchall(_STORED_SQLITE, values)
            if self._prune_due():
                await raw.execute_fetchall(_PRUNE_SQLITE, values)
        return bool(rows and rows[0][0] == digest)

    async def _claim_pg(
        self, key: str, digest: str, expires_at: datetime, now: datetime
    ) -> bool:
        async with self.database.engine.connect() as conn:
            raw = await raw_asyncpg(conn)
            try:
                stored = await raw.fetchval(_CLAIM_PG, key, digest, expires_at, now)
                if stored is None:
                    stored = await raw.fetchval(_STORED_PG, key)
                if self._prune_due():
                    await raw.execute(_PRUNE_PG, now)
            except BaseException:
                # A broken connection (server restart, network) must not be pooled again.
                await conn.invalidate()
                raise
        return bool(stored == digest)

    async def close(self) -> None:
        return None


class RedisNonces:
    """Pairs in Redis under ``<prefix><key>``, each expiring with its window.

    Args:
        redis: a ``redis.asyncio.Redis`` client (``decode_responses=True``).
        prefix: put before every key (one per account; tests use their own).
        owned: close the client with the store.
    """

    def __init__(self, redis: Any, prefix: str, *, owned: bool = True) -> None:
        self.redis = redis
        self.prefix = prefix
        self.owned = owned

    async def claim(self, key: str, digest: str, *, ttl: int) -> bool:
        name = self.prefix + key
        if await self.redis.set(name, digest, nx=True, ex=max(ttl, 1)):
            return True
        return bool(await self.redis.get(name) == digest)

    async def close(self) -> None:
        if self.owned:
            await self.redis.aclose()


def nonce_store(
    database: Database, redis_url: str | None, prefix: str,
    clock: Callable[[], datetime] = _utcnow,
) -> DatabaseNonces | RedisNonces:
    """Redis when ``redis_url`` is set, else the database (rows expire by ``clock``)."""
    if redis_url:
        from redis.asyncio import Redis

        return RedisNonces(Redis.from_url(redis_url, decode_responses=True), prefix)
    return DatabaseNonces(database, clock)
