"""SQLite conversation locks: the statements on the aiosqlite connection, one hop each.

aiosqlite runs SQLite in a thread of its own, and every call crosses to it and back.
Through SQLAlchemy a statement makes several crossings (cursor, execute, fetch, close);
a message made about forty. Here each statement is one ``execute_fetchall``: the
locking read (:mod:`storage.conversation_rows`), then the conversation update, the
identity update when something changed, and for a message the dedupe row.

SQLAlchemy owns the transaction: ``BEGIN IMMEDIATE`` (:mod:`storage.db`) serialises
writers from their first statement, so SQLite needs no row lock and the dedupe lookup
cannot race a copy of the same message. Values are written in the formats SQLAlchemy
reads back (timestamps as naive UTC text, booleans as 0/1, JSON as text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiosqlite import Connection as AioConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from dialogs.conversation import Conversation
from storage.conversation_lock import Locked
from storage.conversation_rows import (
    NAMES,
    LockingReads,
    Spelling,
    identity_changes,
    locked_from,
)
from storage.crypto import FieldCipher
from storage.db import Database, raw_aiosqlite
from storage.processed import Receipt, Stored

READS = LockingReads(
    Spelling(
        placeholders={
            name: f":{name}" for name in ("platform", "external_id", "message_key", "identity_id")
        }
    )
)
CREATE_IDENTITY = """
INSERT INTO identities (platform, external_id, language, language_chosen,
                        pushes_since_inbound, blocked, created_at)
VALUES (:platform, :external_id, :language, 0, 0, 0, :now)
ON CONFLICT (platform, external_id) DO NOTHING
"""
# Also for an identity made elsewhere (staff tools, older data) without a conversation.
CREATE_CONVERSATION = """
INSERT INTO conversations (identity_id, state, answers, version, updated_at)
SELECT id, 'start', '{}', 0, :now FROM identities
WHERE platform = :platform AND external_id = :external_id
ON CONFLICT DO NOTHING
"""
CREATE_CONVERSATION_FOR = """
INSERT INTO conversations (identity_id, state, answers, version, updated_at)
VALUES (:identity_id, 'start', '{}', 0, :now)
ON CONFLICT DO NOTHING
"""
SAVE = (
    "UPDATE conversations SET state = ?, answers = ?, version = ?, updated_at = ? "
    "WHERE identity_id = ?"
)
RECORD = (
    "INSERT INTO processed_messages (platform, message_key, identity_id, replies, "
    "delivery, claimed_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
CLAIM = (
    "UPDATE processed_messages SET delivery = 'pending', claimed_until = ? "
    "WHERE platform = ? AND identity_id = ? AND message_key = ?"
)
SENT = (
    "UPDATE processed_messages SET delivery = 'sent', claimed_until = NULL "
    "WHERE platform = ? AND identity_id = ? AND message_key = ?"
)
IDENTITY_COLUMNS = frozenset(
    {
        "language",
        "language_chosen",
        "last_inbound_at",
        "pushes_since_inbound",
        "unsubscribed_at",
        "blocked",
        "blocked_reason",
    }
)


def stamp(value: datetime) -> str:
    """A timestamp as SQLAlchemy stores it in SQLite: naive UTC with microseconds."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def read_stamp(value: str | None) -> datetime | None:
    """A timestamp SQLAlchemy stored, as an aware UTC datetime."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


class SqliteConversationLock:
    """A :class:`~storage.conversation_lock.ConversationLock` on the aiosqlite connection.

    ``session``: the caller's ORM session when the lock joins its transaction (a staff
    move); otherwise one is made on ``conn`` when a command first needs it.
    """

    def __init__(
        self,
        conn: AsyncConnection,
        raw: AioConnection,
        cipher: FieldCipher,
        *,
        session: AsyncSession | None = None,
    ) -> None:
        self.conn = conn
        self.raw = raw
        self.cipher = cipher
        self._session = session

    async def lock(
        self, *, platform: str, external_id: str, language: str, message_key: str
    ) -> tuple[Locked, Stored | None]:
        query = READS.by_user(platform)
        params = {"platform": platform, "external_id": external_id, "message_key": message_key}
        row = await self._read(query, params)
        if row is None:
            # First contact, as rarely as once per consumer.
            values = {**params, "language": language, "now": stamp(datetime.now(UTC))}
            await self.raw.execute_fetchall(CREATE_IDENTITY, values)
            await self.raw.execute_fetchall(CREATE_CONVERSATION, values)
            row = await self._read(query, params)
        if row is None:
            raise LookupError("conversation row missing after creating it")
        return locked_from(row, self.cipher, read_stamp)

    async def lock_identity(self, *, identity_id: int, platform: str) -> Locked:
        query = READS.by_identity(platform)
        params = {"identity_id": identity_id}
        row = await self._read(query, params)
        if row is None:
            values = {**params, "now": stamp(datetime.now(UTC))}
            await self.raw.execute_fetchall(CREATE_CONVERSATION_FOR, values)
            row = await self._read(query, params)
        if row is None:
            raise LookupError(f"no identity {identity_id}")
        return locked_from(row, self.cipher, read_stamp)[0]

    async def _read(self, query: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
        for values in await self.raw.execute_fetchall(query, params):
            # The select list is rendered from NAMES, in this order.
            return dict(zip(NAMES, values, strict=True))
        return None

    async def session(self) -> AsyncSession:
        if self._session is None:
            self._session = AsyncSession(bind=self.conn, expire_on_commit=False)
        return self._session

    async def claim(self, receipt: Receipt, *, until: datetime) -> None:
        await self.raw.execute_fetchall(
            CLAIM, (stamp(until), receipt.platform, receipt.identity_id, receipt.message_key)
        )

    async def finish(
        self,
        locked: Locked,
        conv: Conversation,
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
        changes = identity_changes(
            locked, conv, now, inbound=True, resubscribe=resubscribe, opens_window=opens_window
        )
        await self._write(locked, conv, now, changes)
        await self.raw.execute_fetchall(
            RECORD,
            (
                platform,
                message_key,
                locked.identity_id,
                json.dumps(self.cipher.seal(replies)),
                delivery,
                None if claimed_until is None else stamp(claimed_until),
                stamp(now),
            ),
        )

    async def save(self, locked: Locked, conv: Conversation, now: datetime) -> None:
        await self._write(locked, conv, now, identity_changes(locked, conv, now, inbound=False))

    async def _write(
        self, locked: Locked, conv: Conversation, now: datetime, changes: dict[str, Any]
    ) -> None:
        if self._session is not None:
            await self._session.flush()
        sealed = json.dumps(self.cipher.seal(dict(conv.answers)))
        await self.raw.execute_fetchall(
            SAVE, (conv.state, sealed, locked.version + 1, stamp(now), locked.identity_id)
        )
        if changes:
            assert set(changes) <= IDENTITY_COLUMNS
            values = [stamp(v) if isinstance(v, datetime) else v for v in changes.values()]
            assignments = ", ".join(f"{column} = ?" for column in changes)
            await self.raw.execute_fetchall(
                f"UPDATE identities SET {assignments} WHERE id = ?",
                (*values, locked.identity_id),
            )


async def settle_sent_sqlite(database: Database, receipt: Receipt) -> None:
    """Record that a message's replies went out: one statement, autocommitted in this
    process's writer turn (through a SQLAlchemy transaction it cost a Telegram update as
    much CPU as its turn)."""
    async with database.writer(), database.engine.connect() as conn:
        raw = await raw_aiosqlite(conn)
        await raw.execute_fetchall(
            SENT, (receipt.platform, receipt.identity_id, receipt.message_key)
        )
