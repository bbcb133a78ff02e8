"""SQLite turns: the per-message statements on the aiosqlite connection, one hop each.

aiosqlite runs SQLite in a thread of its own, and every call crosses to it and back.
Through SQLAlchemy a statement makes several crossings (cursor, execute, fetch, close);
a message made about forty. Here each statement is one ``execute_fetchall``: one read
of identity, conversation and stored replies, then the conversation update, the
identity update when something changed, and the dedupe row.

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
from storage.turns import CoreTurn

_LOCK = """
SELECT i.id, i.language, i.language_chosen, i.last_inbound_at, i.pushes_since_inbound,
       i.unsubscribed_at IS NOT NULL, c.state, c.answers, c.version, c.updated_at,
       EXISTS (SELECT 1 FROM outbox o WHERE o.identity_id = i.id AND o.status IN ({statuses})),
       (SELECT COALESCE(p.replies, '[]') FROM processed_messages p
        WHERE p.platform = ? AND p.message_key = ?)
FROM identities i JOIN conversations c ON c.identity_id = i.id
WHERE i.platform = ? AND i.external_id = ?
"""
LOCK_PUSH = _LOCK.format(statuses="'held'")
LOCK_PULL = _LOCK.format(statuses="'held', 'pending'")
SAVE = "UPDATE conversations SET state = ?, answers = ?, version = ?, updated_at = ? " \
    "WHERE identity_id = ?"
RECORD = "INSERT INTO processed_messages " \
    "(platform, message_key, identity_id, replies, created_at) VALUES (?, ?, ?, ?, ?)"
IDENTITY_COLUMNS = frozenset(
    {"language", "language_chosen", "last_inbound_at", "pushes_since_inbound", "unsubscribed_at"}
)


def stamp(value: datetime) -> str:
    """A timestamp as SQLAlchemy stores it in SQLite: naive UTC with microseconds."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _read_stamp(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


class SqliteTurn(CoreTurn):
    """A :class:`CoreTurn` whose per-message statements skip SQLAlchemy's cursors."""

    def __init__(self, conn: AsyncConnection, raw: AioConnection) -> None:
        super().__init__(conn)
        self.raw = raw

    async def lock(
        self, *, platform: str, external_id: str, language: str, message_key: str
    ) -> tuple[Locked, list[dict[str, Any]] | None]:
        query = LOCK_PULL if platform in PULL_PLATFORMS else LOCK_PUSH
        params = (platform, message_key, platform, external_id)
        rows = list(await self.raw.execute_fetchall(query, params))
        if not rows:
            # First contact: created through Core, as rarely as once per consumer.
            await conversations.lock(
                self.conn, platform=platform, external_id=external_id, language=language
            )
            rows = list(await self.raw.execute_fetchall(query, params))
        (ident, lang, chosen, inbound, pushes, unsubscribed, state, answers, version,
         updated, waiting, stored) = rows[0]
        locked = Locked(
            identity_id=ident,
            language=lang,
            language_chosen=bool(chosen),
            last_inbound_at=_read_stamp(inbound),
            pushes_since_inbound=pushes,
            unsubscribed=bool(unsubscribed),
            state=state,
            answers=json.loads(answers) if answers else {},
            version=version,
            updated_at=_read_stamp(updated),
            notices_waiting=bool(waiting),
        )
        return locked, None if stored is None else list(json.loads(stored) or [])

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
        at = stamp(now)
        await self.raw.execute_fetchall(
            SAVE,
            (conv.state, json.dumps(dict(conv.answers)), locked.version + 1, at,
             locked.identity_id),
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
            RECORD, (platform, message_key, locked.identity_id, json.dumps(replies), at)
        )
