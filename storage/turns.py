"""A turn: one inbound message's transaction, as the engine sees it.

The engine asks a turn for three things: the consumer's conversation under lock
together with the replies stored for the message (None when it is new), an ORM session
inside the same transaction for the rare messages that run commands, and to finish by
saving the conversation and recording the message. :func:`open_turn` picks the
implementation for the database:

- SQLite: the statements on the aiosqlite connection, one thread hop each
  (:mod:`storage.sqlite_turn`), inside ``BEGIN IMMEDIATE``.
- PostgreSQL: the same statements on the asyncpg driver connection with fewer round
  trips (:mod:`storage.pg_turn`).
- Any other backend: SQLAlchemy Core on one connection (:mod:`storage.conversations`).

SQLAlchemy's per-statement cost was the largest single item in a message's profile;
the ORM stays for everything else (commands, staff, worker).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from dialogs.events import Conversation as DialogConversation
from storage import conversations
from storage.conversations import Locked
from storage.db import Database


class Turn(Protocol):
    """One inbound message's transaction (see the module docstring)."""

    async def lock(
        self, *, platform: str, external_id: str, language: str, message_key: str
    ) -> tuple[Locked, list[dict[str, Any]] | None]: ...

    async def session(self) -> AsyncSession: ...

    async def finish(
        self,
        locked: Locked,
        conv: DialogConversation,
        now: datetime,
        *,
        platform: str,
        message_key: str,
        replies: list[dict[str, Any]],
        resubscribe: bool,
        opens_window: bool = True,
    ) -> None: ...


class CoreTurn:
    """A turn in SQLAlchemy Core on one connection; the caller owns the transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._session: AsyncSession | None = None

    async def lock(
        self, *, platform: str, external_id: str, language: str, message_key: str
    ) -> tuple[Locked, list[dict[str, Any]] | None]:
        locked = await conversations.lock(
            self.conn, platform=platform, external_id=external_id, language=language
        )
        stored = await conversations.stored_replies(
            self.conn, platform=platform, message_key=message_key
        )
        return locked, stored

    async def session(self) -> AsyncSession:
        if self._session is None:
            self._session = AsyncSession(bind=self.conn, expire_on_commit=False)
        return self._session

    async def finish(
        self,
        locked: Locked,
        conv: DialogConversation,
        now: datetime,
        *,
        platform: str,
        message_key: str,
        replies: list[dict[str, Any]],
        resubscribe: bool,
        opens_window: bool = True,
    ) -> None:
        if self._session is not None:
            await self._session.flush()
        await conversations.save(
            self.conn, locked, conv, now, resubscribe=resubscribe, opens_window=opens_window
        )
        await conversations.record_message(
            self.conn,
            platform=platform,
            message_key=message_key,
            identity_id=locked.identity_id,
            replies=replies,
            now=now,
        )


@asynccontextmanager
async def open_turn(database: Database) -> AsyncIterator[Turn]:
    """A turn in one transaction: committed when the block ends, rolled back on error."""
    if database.engine.dialect.name == "postgresql":
        from storage.pg_turn import pg_turn

        async with pg_turn(database) as turn:
            yield turn
        return
    async with database.begin() as conn:
        if database.is_sqlite:
            from storage.sqlite_turn import SqliteTurn

            raw: Any = (await conn.get_raw_connection()).driver_connection
            yield SqliteTurn(conn, raw)
        else:
            yield CoreTurn(conn)
