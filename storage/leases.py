"""Leases in the ``platform_tokens`` table: one holder at a time, for a while.

The channels' lease contract (``adapters/state.py``): the one process that long-polls
Telegram, the one that refreshes the WeChat access token. A lease is a row whose value
names the holder and whose ``expires_at`` ends it. Taking it is a check-and-set under
the row lock (PostgreSQL ``FOR UPDATE``; SQLite's transactions hold the write lock
from their start), so two processes never both get it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import PlatformToken


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DatabaseLeases:
    """Leases by name.

    Args:
        database: the shared database.
        clock: the current time (tests pass their own).
    """

    def __init__(self, database: Database, clock: Callable[[], datetime] = _utcnow) -> None:
        self.database = database
        self.clock = clock

    async def hold(self, name: str, holder: str, *, ttl: timedelta) -> bool:
        async with self.database.transaction() as session:
            conn = await session.connection()
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            # The row first, so that concurrent first takers meet at its lock.
            await session.execute(
                dialect.insert(PlatformToken).values(name=name).on_conflict_do_nothing()
            )
            row = (
                await session.execute(
                    select(PlatformToken.value, PlatformToken.expires_at)
                    .where(PlatformToken.name == name)
                    .with_for_update()
                )
            ).one()
            now = self.clock()
            taken = row.value not in (None, holder)
            if taken and row.expires_at is not None and row.expires_at > now:
                return False
            await session.execute(
                update(PlatformToken)
                .where(PlatformToken.name == name)
                .values(value=holder, expires_at=now + ttl)
            )
            return True

    async def release(self, name: str, holder: str) -> None:
        async with self.database.transaction() as session:
            await session.execute(
                update(PlatformToken)
                .where(PlatformToken.name == name, PlatformToken.value == holder)
                .values(expires_at=self.clock())
            )
