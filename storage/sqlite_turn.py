"""SQLite turns: the per-message statements on the aiosqlite connection, one hop each.

aiosqlite runs SQLite in a thread of its own, and every call crosses to it and back.
Through SQLAlchemy a statement makes several crossings (cursor, execute, fetch, close);
a message made about forty. Here each statement is one ``execute_fetchall``: one read
of identity, conversation and what this consumer's message got before, then the
conversation update, the identity update when something changed, and the dedupe row.

SQLAlchemy still owns the transaction (``BEGIN IMMEDIATE`` serialises writers, so the
stored-replies lookup cannot race a copy of the same message) and the ORM session for
commands; values are written in the formats SQLAlchemy reads back.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiosqlite import Connection as AioConnection
from sqlalchemy.ext.asyncio import AsyncConnection

from dialogs.events import Conversation as DialogConversation
from storage import conversations
from storage.conversations import PULL_PLATFORMS, Locked, identity_changes
from storage.crypto import FieldCipher
from storage.processed import Stored, stored_from
from storage.turns import CoreTurn

_LOCK = """
SELECT i.id, i.language, i.language_chosen, i.last_inbound_at, i.pushes_since_inbound,
       i.unsubscribed_at IS NOT NULL, i.blocked, c.state, c.answers, c.version,
       c.updated_at,
       EXISTS (SELECT 1 FROM outbox o WHERE o.identity_id = i.id AND o.status IN ({statuses})),
       p.identity_id IS NOT NULL, p.replies, p.delivery, p.claimed_until
FROM identities i JOIN conversations c ON c.identity_id = i.id
LEFT JOIN processed_messages p
    ON p.platform = i.platform AND p.identity_id = i.id AND p.message_key = ?
WHERE i.platform = ? AND i.external_id = ?
"""
LOCK_PUSH = _LOCK.format(statuses="'held'")
LOCK_PULL = _LOCK.format(statuses="'held', 'pending'")
SAVE = "UPDATE conversations SET state = ?, answers = ?, version = ?, updated_at = ? " \
    "WHERE identity_id = ?"
RECORD = "INSERT INTO processed_messages (platform, message_key, identity_id, replies, " \
    "delivery, claimed_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
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


def _read_stamp(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


class SqliteTurn(CoreTurn):
    """A :class:`CoreTurn` whose per-message statements skip SQLAlchemy's cursors."""

    def __init__(self, conn: AsyncConnection, raw: AioConnection, cipher: FieldCipher) -> None:
        super().__init__(conn, cipher)
        self.raw = raw

    async def lock(
        self, *, platform: str, external_id: str, language: str, message_key: str
    ) -> tuple[Locked, Stored | None]:
        query = LOCK_PULL if platform in PULL_PLATFORMS else LOCK_PUSH
        params = (message_key, platform, external_id)
        rows = list(await self.raw.execute_fetchall(query, params))
        if not rows:
            # First contact: created through Core, as rarely as once per consumer.
            await conversations.lock(
                self.conn,
                platform=platform,
                external_id=external_id,
                language=language,
                cipher=self.cipher,
            )
            rows = list(await self.raw.execute_fetchall(query, params))
        (ident, lang, chosen, inbound, pushes, unsubscribed, blocked, state, answers, version,
         updated, waiting, seen, replies, delivery, claimed) = rows[0]
        locked = Locked(
            identity_id=ident,
            language=lang,
            language_chosen=bool(chosen),
            last_inbound_at=_read_stamp(inbound),
            pushes_since_inbound=pushes,
            unsubscribed=bool(unsubscribed),
            blocked=bool(blocked),
            state=state,
            answers=self.cipher.unseal(json.loads(answers)) if answers else {},
            version=version,
            updated_at=_read_stamp(updated),
            notices_waiting=bool(waiting),
        )
        if not seen:
            return locked, None
        stored = stored_from(self.cipher, json.loads(replies), delivery, _read_stamp(claimed))
        return locked, stored

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
        at = stamp(now)
        sealed = json.dumps(self.cipher.seal(dict(conv.answers)))
        await self.raw.execute_fetchall(
            SAVE, (conv.state, sealed, locked.version + 1, at, locked.identity_id)
        )
        changes = identity_changes(
            locked, conv, now, inbound=True, resubscribe=resubscribe, opens_window=opens_window
        )
        if changes:
            assert set(changes) <= IDENTITY_COLUMNS
            values = [stamp(v) if isinstance(v, datetime) else v for v in changes.values()]
            assignments = ", ".join(f"{column} = ?" for column in changes)
            await self.raw.execute_fetchall(
                f"UPDATE identities SET {assignments} WHERE id = ?",
                (*values, locked.identity_id),
            )
        await self.raw.execute_fetchall(
            RECORD,
            (
                platform,
                message_key,
                locked.identity_id,
                json.dumps(self.cipher.seal(replies)),
                delivery,
                None if claimed_until is None else stamp(claimed_until),
                at,
            ),
        )
