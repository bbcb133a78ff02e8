"""PostgreSQL conversation locks on the asyncpg driver connection: four round trips a message.

``BEGIN``; one locking read of identity and conversation that also looks up the
replies stored for the message (:mod:`storage.conversation_rows`); one statement that
saves the conversation, updates the identity where something changed and records the
message; ``COMMIT``. A staff move joins the staff member's transaction and makes two:
the same locking read by identity id, and one statement that saves the conversation.

The lookup of what this consumer's message got before rides on the locking read (a
left join on the dedupe row of this identity and key), so it sees the statement's
snapshot, taken before the read waited for the row lock. A copy of the same message
that committed while we waited would be missed — but that copy also bumped the
conversation's version. The read therefore also fetches the version as of the snapshot
(``seen_version``); when it differs from the locked row's version, someone committed
while we waited, and the read is repeated: we hold the lock now, so the second read
returns at once with a fresh snapshot (fresh dedupe row, fresh identity columns).

Drafts and replies are sealed (:meth:`storage.crypto.FieldCipher.seal`) and read as
text, so a sealed value and a plain one from before encryption decode the same way.
Recording that pushed replies went out (:func:`settle_sent`) is one more autocommitted
statement after the turn, on Telegram only.

Connections come from SQLAlchemy's pool. Commands (rare) get an ORM session on the same
connection; its transaction nests inside ours as a savepoint.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from dialogs.conversation import Conversation
from storage.conversation_lock import Locked
from storage.conversation_rows import Column, LockingReads, Spelling, identity_changes, locked_from
from storage.crypto import FieldCipher
from storage.db import Database, raw_asyncpg
from storage.processed import Receipt, Stored

READS = LockingReads(
    Spelling(
        placeholders={"platform": "$1", "external_id": "$2", "message_key": "$3",
                      "identity_id": "$1"},
        json_text="{}::text",
        lock="FOR UPDATE OF c",
        extra=(
            Column(
                "seen_version",
                "(SELECT s.version FROM conversations s WHERE s.identity_id = c.identity_id)",
            ),
        ),
    )
)

CREATE = """
WITH ident AS (
    INSERT INTO identities (platform, external_id, language, language_chosen,
                            pushes_since_inbound, blocked, created_at)
    VALUES ($1, $2, $3, false, 0, false, $4)
    ON CONFLICT (platform, external_id) DO NOTHING
    RETURNING id
)
INSERT INTO conversations (identity_id, state, answers, version, updated_at)
SELECT id, 'start', '{}'::json, 0, $4 FROM ident
ON CONFLICT DO NOTHING
"""
# An identity made elsewhere (staff tools, older data) without a conversation row.
CREATE_CONVERSATION = """
INSERT INTO conversations (identity_id, state, answers, version, updated_at)
SELECT id, 'start', '{}'::json, 0, $3 FROM identities WHERE platform = $1 AND external_id = $2
ON CONFLICT DO NOTHING
"""
CREATE_CONVERSATION_FOR = """
INSERT INTO conversations (identity_id, state, answers, version, updated_at)
VALUES ($1, 'start', '{}'::json, 0, $2)
ON CONFLICT DO NOTHING
"""

_SAVE_CONVERSATION = """
    UPDATE conversations SET state = $2, answers = $3, version = $4, updated_at = $5
    WHERE identity_id = $1
"""
FINISH = f"""
WITH saved AS ({_SAVE_CONVERSATION}), touched AS (
    UPDATE identities SET
        language = CASE WHEN $6 THEN $7 ELSE language END,
        language_chosen = CASE WHEN $6 THEN $8 ELSE language_chosen END,
        last_inbound_at = CASE WHEN $9 THEN $5 ELSE last_inbound_at END,
        pushes_since_inbound = CASE WHEN $9 THEN 0 ELSE pushes_since_inbound END,
        unsubscribed_at = CASE WHEN $10 THEN NULL ELSE unsubscribed_at END,
        blocked = CASE WHEN $14 THEN false ELSE blocked END,
        blocked_reason = CASE WHEN $14 THEN NULL ELSE blocked_reason END
    WHERE id = $1 AND ($6 OR $9 OR $10 OR $14)
)
INSERT INTO processed_messages (platform, message_key, identity_id, replies, delivery,
                                claimed_until, created_at)
VALUES ($11, $12, $1, $13, $15, $16, $5)
"""
# A staff move: the conversation, and the language should the move have changed it.
SAVE = f"""
WITH saved AS ({_SAVE_CONVERSATION})
UPDATE identities SET language = $7, language_chosen = $8 WHERE id = $1 AND $6
"""

CLAIM = """
UPDATE processed_messages SET delivery = 'pending', claimed_until = $4
WHERE platform = $1 AND identity_id = $2 AND message_key = $3
"""
SENT = """
UPDATE processed_messages SET delivery = 'sent', claimed_until = NULL
WHERE platform = $1 AND identity_id = $2 AND message_key = $3
"""


class PgConversationLock:
    """A :class:`~storage.conversation_lock.ConversationLock` on one asyncpg connection.

    The transaction is :func:`pg_turn`'s (a message) or the caller's (a staff move,
    :func:`join_pg_turn`, whose ``session`` is the caller's ORM session).
    """

    def __init__(
        self,
        conn: AsyncConnection,
        raw: asyncpg.Connection,
        cipher: FieldCipher,
        *,
        session: AsyncSession | None = None,
    ) -> None:
        self.conn = conn
        self.raw = raw
        self.cipher = cipher
        self._session = session
        self._own_session = session is None

    async def lock(
        self, *, platform: str, external_id: str, language: str, message_key: str
    ) -> tuple[Locked, Stored | None]:
        query = READS.by_user(platform)
        row = await self._read(query, platform, external_id, message_key)
        if row is None:
            now = datetime.now(UTC)
            await self.raw.execute(CREATE, platform, external_id, language, now)
            row = await self._read(query, platform, external_id, message_key)
            if row is None:
                await self.raw.execute(CREATE_CONVERSATION, platform, external_id, now)
                row = await self._read(query, platform, external_id, message_key)
        if row is None:
            raise LookupError("conversation row vanished under lock")
        return locked_from(row, self.cipher)

    async def lock_identity(self, *, identity_id: int, platform: str) -> Locked:
        query = READS.by_identity(platform)
        row = await self._read(query, identity_id)
        if row is None:
            await self.raw.execute(CREATE_CONVERSATION_FOR, identity_id, datetime.now(UTC))
            row = await self._read(query, identity_id)
        if row is None:
            raise LookupError(f"no identity {identity_id}")
        return locked_from(row, self.cipher)[0]

    async def _read(self, query: str, *args: Any) -> asyncpg.Record | None:
        row = await self.raw.fetchrow(query, *args)
        if row is not None and row["seen_version"] != row["version"]:
            # We waited for another transaction on this conversation: read again.
            row = await self.raw.fetchrow(query, *args)
        return row

    async def session(self) -> AsyncSession:
        if self._session is None:
            self._session = AsyncSession(bind=self.conn, expire_on_commit=False)
        return self._session

    async def claim(self, receipt: Receipt, *, until: datetime) -> None:
        await self.raw.execute(
            CLAIM, receipt.platform, receipt.identity_id, receipt.message_key, until
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
        await self._settle_session()
        changes = identity_changes(
            locked, conv, now, inbound=True, resubscribe=resubscribe, opens_window=opens_window
        )
        await self.raw.execute(
            FINISH,
            locked.identity_id,
            conv.state,
            json.dumps(self.cipher.seal(dict(conv.answers))),
            locked.version + 1,
            now,
            "language" in changes,
            conv.language,
            conv.language_chosen,
            "last_inbound_at" in changes,
            "unsubscribed_at" in changes,
            platform,
            message_key,
            json.dumps(self.cipher.seal(replies)),
            "blocked" in changes,
            delivery,
            claimed_until,
        )

    async def save(self, locked: Locked, conv: Conversation, now: datetime) -> None:
        await self._settle_session()
        changes = identity_changes(locked, conv, now, inbound=False)
        assert set(changes) <= {"language", "language_chosen"}
        await self.raw.execute(
            SAVE,
            locked.identity_id,
            conv.state,
            json.dumps(self.cipher.seal(dict(conv.answers))),
            locked.version + 1,
            now,
            bool(changes),
            conv.language,
            conv.language_chosen,
        )

    async def _settle_session(self) -> None:
        if self._session is None:
            return
        if self._own_session:
            # Releases the session's savepoint; our transaction commits after this.
            await self._session.commit()
        else:
            await self._session.flush()

    async def abandon(self) -> None:
        if self._session is not None and self._own_session:
            with suppress(Exception):
                await self._session.close()


@asynccontextmanager
async def pg_turn(database: Database, cipher: FieldCipher) -> AsyncIterator[PgConversationLock]:
    """A message's lock in one transaction: committed at the end, rolled back on error."""
    async with database.engine.connect() as conn:
        raw = await raw_asyncpg(conn)
        held = PgConversationLock(conn, raw, cipher)
        transaction = raw.transaction()
        try:
            await transaction.start()
        except BaseException:
            await conn.invalidate()
            raise
        try:
            yield held
        except BaseException:
            await held.abandon()
            try:
                await transaction.rollback()
            except Exception:
                # The connection broke (server restart, network): never pool it again.
                await conn.invalidate()
            raise
        try:
            await transaction.commit()
        except BaseException:
            await conn.invalidate()
            raise


async def join_pg_turn(session: AsyncSession, cipher: FieldCipher) -> PgConversationLock:
    """A staff move's lock inside the transaction ``session`` is in."""
    conn = await session.connection()
    raw = await raw_asyncpg(conn)
    if not raw.is_in_transaction():
        # SQLAlchemy sends BEGIN with the session's first statement; the move's own
        # statements must not run before it, outside the transaction.
        await conn.exec_driver_sql("SELECT 1")
    return PgConversationLock(conn, raw, cipher, session=session)


async def settle_sent(database: Database, receipt: Receipt) -> None:
    """Record that a message's replies went out: one statement, autocommitted."""
    async with database.engine.connect() as conn:
        raw = await raw_asyncpg(conn)
        try:
            await raw.execute(SENT, receipt.platform, receipt.identity_id, receipt.message_key)
        except BaseException:
            await conn.invalidate()
            raise
