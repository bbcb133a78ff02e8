"""Identities, conversations and the dedupe table: what the engine touches per message.

This is the hot path (every inbound message), so it speaks SQLAlchemy Core with as
few round trips as the guarantees allow: one locking read of identity + conversation,
one dedupe read, one conversation write, one dedupe write — the ORM stays out of it.
The draft (``answers``) holds contact details and is sealed at rest
(:meth:`storage.crypto.FieldCipher.seal`); the dedupe table is :mod:`storage.processed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    Table,
    bindparam,
    delete,
    exists,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from dialogs.events import Conversation as DialogConversation
from dialogs.events import Platform
from storage.crypto import FieldCipher
from storage.models import Conversation, Identity, OutboxNotice, ProcessedMessage

IDENTITIES = cast(Table, Identity.__table__)
CONVERSATIONS = cast(Table, Conversation.__table__)
OUTBOX = cast(Table, OutboxNotice.__table__)

# Channels with no way to push: their pending notices ride along with the next reply.
PULL_PLATFORMS = frozenset({Platform.WEB.value, Platform.CONSOLE.value})

# last_inbound_at is rewritten at most this often when nothing else about the identity
# changes: a write saved per message; the WeChat 48-hour window is measured with a
# safety margin larger than this.
INBOUND_PRECISION = timedelta(seconds=60)


def _insert(conn: AsyncConnection, table: Any) -> Any:
    """An INSERT that supports ``on_conflict_do_nothing`` on the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


@dataclass(frozen=True)
class Locked:
    """A consumer's identity and conversation, read under the conversation's row lock."""

    identity_id: int
    language: str
    language_chosen: bool
    last_inbound_at: datetime | None
    pushes_since_inbound: int
    unsubscribed: bool
    blocked: bool
    state: str
    answers: dict[str, Any]
    version: int
    updated_at: datetime | None
    notices_waiting: bool

    def dialog(self) -> DialogConversation:
        """The conversation as the dialogs see it."""
        return DialogConversation(
            state=self.state,
            answers=dict(self.answers or {}),
            language=self.language,
            language_chosen=self.language_chosen,
            updated_at=self.updated_at if self.version else None,
        )


@lru_cache(maxsize=8)
def _locking_select(pull: bool) -> Any:
    # Built once per kind of channel: SQLAlchemy then reuses the compiled statement
    # without recomputing its cache key on every message.
    statuses = ["held", "pending"] if pull else ["held"]
    # Constants rendered into the SQL: an IN list of bound values would be re-expanded
    # on every execution.
    waiting = exists().where(
        OUTBOX.c.identity_id == IDENTITIES.c.id,
        or_(*(OUTBOX.c.status == literal_column(f"'{status}'") for status in statuses)),
    )
    return (
        select(
            IDENTITIES.c.id,
            IDENTITIES.c.language,
            IDENTITIES.c.language_chosen,
            IDENTITIES.c.last_inbound_at,
            IDENTITIES.c.pushes_since_inbound,
            IDENTITIES.c.unsubscribed_at,
            IDENTITIES.c.blocked,
            CONVERSATIONS.c.state,
            CONVERSATIONS.c.answers,
            CONVERSATIONS.c.version,
            CONVERSATIONS.c.updated_at,
            waiting.label("waiting"),
        )
        .join_from(IDENTITIES, CONVERSATIONS, CONVERSATIONS.c.identity_id == IDENTITIES.c.id)
        # PostgreSQL: a second message from the same consumer waits here until the
        # first commits, then reads its result. SQLite holds the database write lock.
        .with_for_update(of=CONVERSATIONS)
    )


def _locked(row: Any, cipher: FieldCipher) -> Locked:
    return Locked(
        identity_id=row.id,
        language=row.language,
        language_chosen=bool(row.language_chosen),
        last_inbound_at=row.last_inbound_at,
        pushes_since_inbound=row.pushes_since_inbound,
        unsubscribed=row.unsubscribed_at is not None,
        blocked=bool(row.blocked),
        state=row.state,
        answers=cipher.unseal(row.answers) or {},
        version=row.version,
        updated_at=row.updated_at,
        notices_waiting=bool(row.waiting),
    )


async def lock(
    conn: AsyncConnection, *, platform: str, external_id: str, language: str, cipher: FieldCipher
) -> Locked:
    """The consumer's identity and conversation under lock, created on first contact."""
    query = _by_user(platform in PULL_PLATFORMS)
    params = {"platform": platform, "external_id": external_id}
    row = (await conn.execute(query, params)).first()
    if row is None:
        await conn.execute(
            _insert(conn, IDENTITIES)
            .values(
                platform=platform,
                external_id=external_id,
                language=language,
                language_chosen=False,
                pushes_since_inbound=0,
                blocked=False,
            )
            .on_conflict_do_nothing()
        )
        identity_id = (
            await conn.execute(
                select(IDENTITIES.c.id).where(
                    IDENTITIES.c.platform == platform, IDENTITIES.c.external_id == external_id
                )
            )
        ).scalar_one()
        await _ensure_conversation(conn, identity_id)
        row = (await conn.execute(query, params)).one()
    return _locked(row, cipher)


@lru_cache(maxsize=4)
def _by_user(pull: bool) -> Any:
    return _locking_select(pull).where(
        IDENTITIES.c.platform == bindparam("platform"),
        IDENTITIES.c.external_id == bindparam("external_id"),
    )


async def lock_identity(
    conn: AsyncConnection, *, identity_id: int, platform: str, cipher: FieldCipher
) -> Locked:
    """The same as :func:`lock`, by identity id (staff moving a conversation)."""
    await _ensure_conversation(conn, identity_id)
    row = (
        await conn.execute(
            _locking_select(platform in PULL_PLATFORMS).where(IDENTITIES.c.id == identity_id)
        )
    ).one()
    return _locked(row, cipher)


async def _ensure_conversation(conn: AsyncConnection, identity_id: int) -> None:
    await conn.execute(
        _insert(conn, CONVERSATIONS)
        .values(identity_id=identity_id, state="start", answers={}, version=0)
        .on_conflict_do_nothing()
    )


_SAVE = (
    update(CONVERSATIONS)
    .where(CONVERSATIONS.c.identity_id == bindparam("b_identity_id"))
    .values(
        state=bindparam("b_state"),
        answers=bindparam("b_answers", type_=CONVERSATIONS.c.answers.type),
        version=bindparam("b_version"),
        updated_at=bindparam("b_updated_at", type_=CONVERSATIONS.c.updated_at.type),
    )
)

async def save(
    conn: AsyncConnection,
    locked: Locked,
    conv: DialogConversation,
    now: datetime,
    *,
    cipher: FieldCipher,
    inbound: bool = True,
    resubscribe: bool = True,
    opens_window: bool = True,
) -> None:
    """Write the conversation back, and the identity where something about it changed."""
    await conn.execute(
        _SAVE,
        {
            "b_identity_id": locked.identity_id,
            "b_state": conv.state,
            "b_answers": cipher.seal(dict(conv.answers)),
            "b_version": locked.version + 1,
            "b_updated_at": now,
        },
    )
    changes = identity_changes(
        locked, conv, now, inbound=inbound, resubscribe=resubscribe, opens_window=opens_window
    )
    if changes:
        await conn.execute(
            update(IDENTITIES).where(IDENTITIES.c.id == locked.identity_id).values(**changes)
        )


def identity_changes(
    locked: Locked,
    conv: DialogConversation,
    now: datetime,
    *,
    inbound: bool,
    resubscribe: bool,
    opens_window: bool = True,
) -> dict[str, Any]:
    """The identity columns a message changes; empty (no write) for most messages.

    ``opens_window`` is False for platform events (following, a menu click, a QR scan):
    WeChat opens only a short window for those, recorded apart (``NoteInteraction``),
    so they must not restart the 48 hours of a typed message.
    """
    changes: dict[str, Any] = {}
    if (conv.language, conv.language_chosen) != (locked.language, locked.language_chosen):
        changes.update(language=conv.language, language_chosen=conv.language_chosen)
    if inbound and opens_window:
        stale = locked.last_inbound_at is None or now - locked.last_inbound_at > INBOUND_PRECISION
        if stale or locked.pushes_since_inbound:
            changes.update(last_inbound_at=now, pushes_since_inbound=0)
    if inbound:
        if resubscribe and locked.unsubscribed:
            # A consumer who writes again after unfollowing is reachable again.
            changes["unsubscribed_at"] = None
        if resubscribe and locked.blocked:
            # Likewise after blocking the bot: Telegram delivers nothing from a user who
            # blocks it, so a message means the block was lifted.
            changes.update(blocked=False, blocked_reason=None)
    return changes


async def prune_processed(*, session: AsyncSession, older_than: datetime) -> int:
    """Forget dedupe keys older than any platform retries (days, not seconds)."""
    result = await session.execute(
        delete(ProcessedMessage).where(ProcessedMessage.created_at < older_than)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def find_identity(
    *, session: AsyncSession, platform: str, external_id: str
) -> Identity | None:
    """The identity for a platform user, if they ever wrote."""
    return await session.scalar(
        select(Identity).where(Identity.platform == platform, Identity.external_id == external_id)
    )
