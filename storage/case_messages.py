"""The conversation of a case: messages the consumer writes to the handler.

The text is personal data (a consumer may write anything: an address, an ID number),
so only its encryption is stored (storage/crypto.py), and nothing here logs it. A
consumer message is *unread* until the case is opened by its assignee — or by any
staff member while nobody is assigned — in the API detail or the console.

``author_kind`` leaves room for the other parties of a case: ``merchant`` messages are
one more kind of row.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import DecryptionError, FieldCipher
from storage.models import CaseMessage, Complaint, Identity, Staff

CONSUMER = "consumer"


@dataclass(frozen=True)
class ShownMessage:
    """A case message as staff read it (decrypted)."""

    id: int
    author_kind: str
    author: str
    text: str
    at: datetime
    unread: bool


async def add_consumer_message(
    *,
    session: AsyncSession,
    complaint: Complaint,
    identity: Identity,
    text: str,
    cipher: FieldCipher,
    now: datetime,
) -> CaseMessage:
    """Record what the consumer wrote on their complaint (the caller checked ownership)."""
    encrypted = cipher.encrypt(text)
    assert encrypted is not None
    row = CaseMessage(
        complaint_id=complaint.id,
        author_kind=CONSUMER,
        author=CONSUMER,
        identity_id=identity.id,
        text_enc=encrypted,
        created_at=now,
    )
    # The complaint row is left alone: the consumer's turn already holds their
    # conversation lock, and staff actions lock complaint then conversation — taking
    # the complaint here would be the other order, a deadlock on PostgreSQL.
    session.add(row)
    await session.flush()
    return row


async def messages(
    *, session: AsyncSession, complaint: Complaint, cipher: FieldCipher
) -> list[ShownMessage]:
    """Every message of the case in order, decrypted (``****`` when it cannot be)."""
    rows = await session.scalars(
        select(CaseMessage)
        .where(CaseMessage.complaint_id == complaint.id)
        .order_by(CaseMessage.created_at, CaseMessage.id)
    )
    shown = []
    for row in rows:
        try:
            text = cipher.decrypt(row.text_enc) or ""
        except DecryptionError:
            text = "****"
        shown.append(
            ShownMessage(
                id=row.id,
                author_kind=row.author_kind,
                author=row.author,
                text=text,
                at=row.created_at,
                unread=row.author_kind == CONSUMER and row.read_at is None,
            )
        )
    return shown


def may_mark_read(staff: Staff, complaint: Complaint) -> bool:
    """Opening the case reads its messages for its assignee, or anyone when unassigned."""
    return complaint.assignee_id is None or complaint.assignee_id == staff.id


async def mark_read(
    *, session: AsyncSession, complaint: Complaint, staff: Staff, now: datetime
) -> int:
    """Mark the case's consumer messages read if ``staff`` is who reads them; the count."""
    if not may_mark_read(staff, complaint):
        return 0
    result = await session.execute(
        update(CaseMessage)
        .where(
            CaseMessage.complaint_id == complaint.id,
            CaseMessage.author_kind == CONSUMER,
            CaseMessage.read_at.is_(None),
        )
        .values(read_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def has_unread() -> Any:
    """A condition on ``Complaint``: it has a consumer message nobody has read yet."""
    return exists().where(
        and_(
            CaseMessage.complaint_id == Complaint.id,
            CaseMessage.author_kind == CONSUMER,
            CaseMessage.read_at.is_(None),
        )
    )


async def unread_counts(
    *, session: AsyncSession, complaint_ids: Collection[int]
) -> dict[int, int]:
    """Unread consumer messages per complaint, for a page of a list."""
    if not complaint_ids:
        return {}
    rows = await session.execute(
        select(CaseMessage.complaint_id, func.count())
        .where(
            CaseMessage.complaint_id.in_(sorted(complaint_ids)),
            CaseMessage.author_kind == CONSUMER,
            CaseMessage.read_at.is_(None),
        )
        .group_by(CaseMessage.complaint_id)
    )
    return {int(cid): int(n) for cid, n in rows.all()}
