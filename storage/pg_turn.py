"""PostgreSQL turns on the asyncpg driver connection: four round trips per message.

``BEGIN``; one locking read of identity and conversation that also looks up the
replies stored for the message; one statement that saves the conversation, updates the
identity where something changed and records the message; ``COMMIT``. The SQLAlchemy
Core turn needs six, each paying SQLAlchemy's per-statement CPU.

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

from dialogs.events import Conversation as DialogConversation
from storage.conversations import PULL_PLATFORMS, Locked, identity_changes
from storage.crypto import FieldCipher
from storage.db import Database
from storage.processed import Receipt, Stored, stored_from

_LOCK = """
SELECT i.id, i.language, i.language_chosen, i.last_inbound_at, i.pushes_since_inbound,
       i.unsubscribed_at IS NOT NULL AS unsubscribed, i.blocked, c.state,
       c.answers::text AS answers, c.version, c.updated_at,
       EXISTS (SELECT 1 FROM outbox o
               WHERE o.identity_id = i.id AND o.status IN ({statuses})) AS waiting,
       p.identity_id IS NOT NULL AS seen, p.replies::text AS replies, p.delivery,
       p.claimed_until,
       (SELECT s.version FROM conversations s WHERE s.identity_id = c.identity_id)
           AS seen_version
FROM identities i JOIN conversations c ON c.identity_id = i.id
LEFT JOIN processed_messages p
    ON p.platform = $1 AND p.identity_id = i.id AND p.message_key = $3
WHERE i.platform = $1 AND i.external_id = $2
FOR UPDATE OF c
"""
LOCK_PUSH = _LOCK.format(statuses="'held'")
# Web and console chats have no push: pending notices ride along with the next reply.
LOCK_PULL = _LOCK.format(statuses="'held', 'pending'")

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

FINISH = """
WITH saved AS (
    UPDATE conversations SET state = $2, answers = $3, version = $4, updated_at = $5
    WHERE identity_id = $1
), touched AS (
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

CLAIM = """
UPDATE processed_messages SET delivery = 'pending', claimed_until = $4
WHERE platform = $1 AND identity_id = $2 AND message_key = $3
"""
SENT = """
UPDATE processed_messages SET delivery = 'sent', claimed_until = NULL
WHERE platform = $1 AND identity_id = $2 AND message_key = $3
"""


class PgTurn:
    """A turn on one asyncpg connection inside a transaction :func:`pg_turn` owns."""

    def __init__(self, conn: AsyncConnection, raw: asyncpg.Connection, cipher: FieldCipher) -> None:
        self.conn = conn
        self.raw = raw
        self.cipher = cipher
        self._session: AsyncSession | None = None

    async def lock(
        self, *, platform: str, external_id: str, language: str, message_key: str
    ) -> tuple[Locked, Stored | None]:
        query = LOCK_PULL if platform in PULL_PLATFORMS else LOCK_PUSH
        row = await self.raw.fetchrow(query, platform, external_id, message_key)
        if row is None:
            now = datetime.now(UTC)
            await self.raw.execute(CREATE, platform, external_id, language, now)
            row = await self.raw.fetchrow(query, platform, external_id, message_key)
            if row is None:
                await self.raw.execute(CREATE_CONVERSATION, platform, external_id, now)
                row = await self.raw.fetchrow(query, platform, external_id, message_key)
        elif row["seen_version"] != row["version"]:
            # We waited for another transaction on this conversation: read again.
            row = await self.raw.fetchrow(query, platform, external_id, message_key)
        if row is None:
            raise LookupError("conversation row vanished under lock")
        answers = row["answers"]
        locked = Locked(
            identity_id=row["id"],
            language=row["language"],
            language_chosen=row["language_chosen"],
            last_inbound_at=row["last_inbound_at"],
            pushes_since_inbound=row["pushes_since_inbound"],
            unsubscribed=row["unsubscribed"],
            blocked=row["blocked"],
            state=row["state"],
            answers=self.cipher.unseal(json.loads(answers)) if answers else {},
            version=row["version"],
            updated_at=row["updated_at"],
            notices_waiting=row["waiting"],
        )
        if not row["seen"]:
            return locked, None
        replies = json.loads(row["replies"])
        return locked, stored_from(self.cipher, replies, row["delivery"], row["claimed_until"])

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
            # Releases the session's savepoint; our transaction commits after this.
            await self._session.commit()
        changes = identity_changes(
            locked, conv, now, inbound=True, resubscribe=resubscribe, opens_window=opens_window
        )
        language = "language" in changes
        await self.raw.execute(
            FINISH,
            locked.identity_id,
            conv.state,
            json.dumps(self.cipher.seal(dict(conv.answers))),
            locked.version + 1,
            now,
            language,
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

    async def abandon(self) -> None:
        if self._session is not None:
            with suppress(Exception):
                await self._session.close()


@asynccontextmanager
async def pg_turn(database: Database, cipher: FieldCipher) -> AsyncIterator[PgTurn]:
    """A :class:`PgTurn` in one transaction: committed at the end, rolled back on error."""
    async with database.engine.connect() as conn:
        raw: asyncpg.Connection = (await conn.get_raw_connection()).driver_connection
        turn = PgTurn(conn, raw, cipher)
        transaction = raw.transaction()
        try:
            await transaction.start()
        except BaseException:
            await conn.invalidate()
            raise
        try:
            yield turn
        except BaseException:
            await turn.abandon()
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


async def settle_sent(database: Database, receipt: Receipt) -> None:
    """Record that a message's replies went out: one statement, autocommitted."""
    async with database.engine.connect() as conn:
        raw: asyncpg.Connection = (await conn.get_raw_connection()).driver_connection
        try:
            await raw.execute(SENT, receipt.platform, receipt.identity_id, receipt.message_key)
        except BaseException:
            await conn.invalidate()
            raise
