"""A consumer's recent exchange, for a chat page that was reloaded.

What the bot said is already stored: the replies of every handled message live in the
dedupe table (kept for days, see :func:`storage.conversations.prune_processed`), and
notices the page fetched are outbox rows delivered ``via="page"``. This reads both
back, in the order they were given, so the page can show its conversation again.
Notices handed over *with* a reply are already in that reply's stored replies.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.conversation import Conversation
from dialogs.replies import Reply
from dialogs.vocabulary import NoticeStatus
from storage.crypto import FieldCipher
from storage.models import ConversationRow, Identity, OutboxNotice, ProcessedMessage
from storage.outbox import notice_replies

DEFAULT_TURNS = 30


async def recent_replies(
    *,
    session: AsyncSession,
    cipher: FieldCipher,
    identity_id: int,
    limit: int = DEFAULT_TURNS,
) -> list[Reply]:
    """What the bot said to one identity lately, oldest first.

    Args:
        session: a database session.
        cipher: opens the stored replies (they are encrypted at rest).
        identity_id: whose exchange (every key is scoped to its owner).
        limit: how many handled messages and page notices, the newest ones.
    """
    messages = await session.execute(
        select(ProcessedMessage.created_at, ProcessedMessage.replies)
        .where(ProcessedMessage.identity_id == identity_id)
        .order_by(ProcessedMessage.created_at.desc())
        .limit(limit)
    )
    entries: list[tuple[datetime, int, list[Reply]]] = [
        (at, 0, [Reply.from_dict(r) for r in cipher.unseal(replies) or []])
        for at, replies in messages
    ]
    notices = await session.scalars(
        select(OutboxNotice)
        .where(
            OutboxNotice.identity_id == identity_id,
            OutboxNotice.status == NoticeStatus.SENT,
            OutboxNotice.delivered_via == "page",
        )
        .order_by(OutboxNotice.sent_at.desc())
        .limit(limit)
    )
    entries.extend(
        (notice.sent_at or notice.created_at, 1, notice_replies(notice)) for notice in notices
    )
    # Newest ``limit`` entries of both kinds, then oldest first; a notice fetched in the
    # same instant as a reply comes after it, as on the page.
    entries.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    kept = sorted(entries[:limit], key=lambda entry: (entry[0], entry[1]))
    return [reply for _, _, replies in kept for reply in replies]


async def conversation_of(
    *, session: AsyncSession, cipher: FieldCipher, identity: Identity
) -> Conversation:
    """The identity's conversation as the dialogs see it, read without a lock (no change)."""
    row = await session.get(ConversationRow, identity.id)
    if row is None:
        return Conversation(language=identity.language)
    return Conversation(
        state=row.state,
        answers=cipher.unseal(row.answers) or {},
        language=identity.language,
        language_chosen=bool(identity.language_chosen),
        updated_at=row.updated_at if row.version else None,
    )
