"""Named values shared by every process, in the ``platform_tokens`` table.

The channels' key-value contract (``adapters/state.py``): Telegram's polling offset,
the WeChat access token when Redis is absent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import PlatformToken


class DatabaseKeyValues:
    """Values by name, each one row of ``platform_tokens``."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def get(self, name: str) -> tuple[str, datetime | None] | None:
        async with self.database.sessions() as session:
            row = (
                await session.execute(
                    select(PlatformToken.value, PlatformToken.expires_at).where(
                        PlatformToken.name == name
                    )
                )
            ).one_or_none()
        if row is None or row.value is None:
            return None
        return row.value, row.expires_at

    async def put(self, name: str, value: str, *, expires_at: datetime | None = None) -> None:
        async with self.database.transaction() as session:
            conn = await session.connection()
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(PlatformToken).values(
                name=name, value=value, expires_at=expires_at
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[PlatformToken.name],
                    set_={"value": value, "expires_at": expires_at},
                )
            )

    async def expire(self, name: str, value: str) -> None:
        async with self.database.transaction() as session:
            await session.execute(
                update(PlatformToken)
                .where(PlatformToken.name == name, PlatformToken.value == value)
                .values(expires_at=None)
            )
