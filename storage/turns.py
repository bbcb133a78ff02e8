"""Opening a conversation lock: a turn for a message, a join for a staff move.

:func:`open_turn` gives one inbound message its transaction and a
:class:`~storage.conversation_lock.ConversationLock` in it; :func:`join_turn` gives a
staff move a lock inside the staff member's transaction. The implementation is the
database's, the same for both:

- SQLite: the statements on the aiosqlite connection, one thread hop each
  (:mod:`storage.sqlite_turn`), inside ``BEGIN IMMEDIATE``.
- PostgreSQL: the same statements on the asyncpg driver connection, four round trips a
  message (:mod:`storage.pg_turn`).

SQLAlchemy's per-statement cost was the largest single item in a message's profile;
the ORM stays for everything else (commands, staff, worker).

:func:`settle_delivery` records, after the transaction, how pushing the replies ended.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from storage import processed
from storage.conversation_lock import ConversationLock
from storage.crypto import FieldCipher
from storage.db import Database, raw_aiosqlite
from storage.pg_turn import join_pg_turn, pg_turn, settle_sent
from storage.processed import Receipt
from storage.sqlite_turn import SqliteConversationLock, settle_sent_sqlite


@asynccontextmanager
async def open_turn(
    database: Database, cipher: FieldCipher
) -> AsyncIterator[ConversationLock]:
    """A message's lock in one transaction: committed when the block ends, rolled back
    on error."""
    if database.engine.dialect.name == "postgresql":
        async with pg_turn(database, cipher) as held:
            yield held
        return
    if not database.is_sqlite:
        raise NotImplementedError(f"no conversation lock for {database.engine.dialect.name}")
    async with database.begin() as conn:
        raw = await raw_aiosqlite(conn)
        yield SqliteConversationLock(conn, raw, cipher)


async def join_turn(session: AsyncSession, cipher: FieldCipher) -> ConversationLock:
    """A staff move's lock inside the transaction ``session`` is in (the caller commits).

    Commands the move runs use ``session`` itself.
    """
    conn = await session.connection()
    if conn.dialect.name == "postgresql":
        return await join_pg_turn(session, cipher)
    raw = await raw_aiosqlite(conn)
    return SqliteConversationLock(conn, raw, cipher, session=session)


async def settle_delivery(
    database: Database,
    receipt: Receipt,
    delivery: str | None,
    *,
    block_reason: str | None = None,
) -> None:
    """Record how pushing a message's replies ended (see :func:`processed.settle`)."""
    if delivery == processed.SENT and block_reason is None:
        # The common case, once per pushed message: one autocommitted statement.
        if database.engine.dialect.name == "postgresql":
            await settle_sent(database, receipt)
            return
        if database.is_sqlite:
            await settle_sent_sqlite(database, receipt)
            return
    async with database.begin() as conn:
        await processed.settle(conn, receipt, delivery, block_reason=block_reason)
