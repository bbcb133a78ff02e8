"""A turn: one inbound message's transaction, as the engine sees it.

The engine asks a turn for four things: the consumer's conversation under lock
together with what was stored for the message (None when it is new; the lookup is
scoped to the consumer), an ORM session inside the same transaction for the rare
messages that run commands, a claim on stored replies that still have to be pushed
(:mod:`storage.processed`), and to finish by saving the conversation and recording the
message. Drafts and replies are sealed with the cipher the turn is opened with.
:func:`open_turn` picks the implementation for the database:

- SQLite: the statements on the aiosqlite connection, one thread hop each
  (:mod:`storage.sqlite_turn`), inside ``BEGIN IMMEDIATE``.
- PostgreSQL: the same statements on the asyncpg driver connection with fewer round
  trips (:mod:`storage.pg_turn`).
- Any other backend: SQLAlchemy Core on one connection (:mod:`storage.conversations`).

SQLAlchemy's per-statement cost was the largest single item in a message's profile;
the ORM stays for everything else (commands, staff, worker).

:func:`settle_delivery` records, after the transaction, how pushing the replies ended.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from dialogs.events import Conversation as DialogConversation
from storage import conversations, processed
from storage.conversations import Locked
from storage.crypto import FieldCipher
from storage.db import Database
from storage.processed import Receipt, Stored


class Turn(Protocol):
    """One inbound message's transaction (see the module docstring)."""

    async def lock(
        self, *, platform: str, external_id: str, language: str, message_key: str
    ) -> tuple[Locked, Stored | None]: ...

    async def session(self) -> AsyncSession: ...

    async def claim(self, receipt: Receipt, *, until: datetime) -> None: ...

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
        delivery: str | None = None,
        claimed_until: datetime | None = None,
        opens_window: bool = True,
    ) -> None: ...


class CoreTurn:
    """A turn in SQLAlchemy Core on one connection; the caller owns the transaction."""

    def __init__(self, conn: AsyncConnection, cipher: FieldCipher) -> None:
        self.conn = conn
        self.cipher = cipher
        self._session: AsyncSession | None = None

    async def lock(
        self, *, platform: str, external_id: str, language: str, message_key: str
    ) -> tuple[Locked, Stored | None]:
        locked = await conversations.lock(
            self.conn,
            platform=platform,
            external_id=external_id,
            language=language,
            cipher=self.cipher,
        )
        stored = await processed.stored_replies(
            self.conn,
            platform=platform,
            identity_id=locked.identity_id,
            message_key=message_key,
            cipher=self.cipher,
        )
        return locked, stored

    async def claim(self, receipt: Receipt, *, until: datetime) -> None:
        await processed.claim(self.conn, receipt, until=until)

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
        delivery: str | None = None,
        claimed_until: datetime | None = None,
        opens_window: bool = True,
    ) -> None:
        if self._session is not None:
            await self._session.flush()
        await conversations.save(
            self.conn,
            locked,
            conv,
            now,
            cipher=self.cipher,
            resubscribe=resubscribe,
            opens_window=opens_window,
        )
        await processed.record_message(
            self.conn,
            platform=platform,
            message_key=message_key,
            identity_id=locked.identity_id,
            replies=replies,
            now=now,
            cipher=self.cipher,
            delivery=delivery,
            claimed_until=claimed_until,
        )


@asynccontextmanager
async def open_turn(database: Database, cipher: FieldCipher) -> AsyncIterator[Turn]:
    """A turn in one transaction: committed when the block ends, rolled back on error."""
    if database.engine.dialect.name == "postgresql":
        from storage.pg_turn import pg_turn

        async with pg_turn(database, cipher) as turn:
            yield turn
        return
    async with database.begin() as conn:
        if database.is_sqlite:
            from storage.sqlite_turn import SqliteTurn

            raw: Any = (await conn.get_raw_connection()).driver_connection
            yield SqliteTurn(conn, raw, cipher)
        else:
            yield CoreTurn(conn, cipher)


async def settle_delivery(
    database: Database,
    receipt: Receipt,
    delivery: str | None,
    *,
    block_reason: str | None = None,
) -> None:
    """Record how pushing a message's replies ended (see :func:`processed.settle`)."""
    if delivery == processed.SENT and database.engine.dialect.name == "postgresql":
        # The common case, once per pushed message: one autocommitted statement.
        from storage.pg_turn import settle_sent

        await settle_sent(database, receipt)
        return
    async with database.begin() as conn:
        await processed.settle(conn, receipt, delivery, block_reason=block_reason)
