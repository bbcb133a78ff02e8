"""Identities, conversations and the dedupe table: what the engine touches per message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, Identity, ProcessedMessage


def _insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that supports ``on_conflict_do_nothing`` on the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def claim_message(
    *, session: AsyncSession, platform: str, message_key: str
) -> list[dict[str, Any]] | None:
    """Claim a delivery key for this transaction.

    Returns None when the key is new (the caller goes on and stores its replies with
    :func:`store_replies`), or the replies stored for it when it was handled before.
    A concurrent copy of the same key waits on the unique index until the first
    transaction ends, then sees its row: a retry can never apply twice.
    """
    stmt = (
        _insert(session, ProcessedMessage)
        .values(platform=platform, message_key=message_key, replies=[])
        .on_conflict_do_nothing()
        .returning(ProcessedMessage.message_key)
    )
    claimed = (await session.execute(stmt)).scalar_one_or_none()
    if claimed is not None:
        return None
    stored = await session.scalar(
        select(ProcessedMessage.replies).where(
            ProcessedMessage.platform == platform, ProcessedMessage.message_key == message_key
        )
    )
    return list(stored or [])


async def store_replies(
    *,
    session: AsyncSession,
    platform: str,
    message_key: str,
    identity_id: int,
    replies: list[dict[str, Any]],
) -> None:
    """Record the replies given to a claimed key, for repeats to get the same answer."""
    row = await session.get(ProcessedMessage, (platform, message_key))
    if row is not None:
        row.replies = replies
        row.identity_id = identity_id


async def get_identity(
    *, session: AsyncSession, platform: str, external_id: str, language: str
) -> Identity:
    """The identity for a platform user, created on first contact."""
    query = select(Identity).where(
        Identity.platform == platform, Identity.external_id == external_id
    )
    identity = await session.scalar(query)
    if identity is None:
        await session.execute(
            _insert(session, Identity)
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
        identity = (await session.scalars(query)).one()
    return identity


async def lock_conversation(*, session: AsyncSession, identity_id: int) -> Conversation:
    """The identity's conversation row, locked until the transaction ends.

    PostgreSQL takes a row lock (a second message from the same consumer waits here and
    then reads the first one's result); SQLite already holds the database write lock.
    """
    query = (
        select(Conversation)
        .where(Conversation.identity_id == identity_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = await session.scalar(query)
    if row is None:
        await session.execute(
            _insert(session, Conversation)
            .values(identity_id=identity_id, state="start", answers={}, version=0)
            .on_conflict_do_nothing()
        )
        row = (await session.scalars(query)).one()
    return row


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
