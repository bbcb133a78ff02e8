"""Erasure: what ``删除我的数据`` / ``delete my data`` and the retention period remove.

Erasing is a list of steps, one per table that holds a consumer's personal data, so a
new table with such data adds one step here (``CONSUMER_STEPS`` for data kept per
consumer, ``CASE_STEPS`` for data kept per case):

- at once, for the consumer's whole link group: drafts, stored replies, link codes,
  delivered notices, draft evidence, and every case already in a final status;
- cases still open are flagged ``erase_on_close`` and anonymised by
  :func:`anonymise` in the transaction that moves them to a final status (staff need
  the contact details to work the case until then).

A case that is anonymised keeps what statistics need — type, category, merchant,
amount, dates, status moves — and loses contact details, free text, timeline notes,
messages and evidence. Evidence files no row names any more are queued in
``blob_erasures`` and deleted from the blob store after commit (:func:`purge_blobs`).
Every erasure writes an audit entry with counts only, never the erased data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs import lifecycle
from dialogs.vocabulary import NoticeStatus
from storage.blobs import BlobStore
from storage.crypto import FieldCipher
from storage.models import (
    AuditEntry,
    BlobErasure,
    CaseMessage,
    Complaint,
    ComplaintEvent,
    ConversationRow,
    Evidence,
    LinkAttempts,
    LinkCode,
    OutboxNotice,
    ProcessedMessage,
)

#: Outbox rows whose delivery is over: their texts are history, not work.
_DELIVERED = (NoticeStatus.SENT, NoticeStatus.DEAD, NoticeStatus.UNDELIVERABLE)


@dataclass
class Erased:
    """What one erasure removed (counts only: an audit entry carries them)."""

    drafts: int = 0
    stored_replies: int = 0
    notices: int = 0
    closed_cases: int = 0
    open_cases: int = 0
    files: int = 0
    open_numbers: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "drafts": self.drafts, "stored_replies": self.stored_replies,
            "notices": self.notices, "closed_cases": self.closed_cases,
            "open_cases": self.open_cases, "files": self.files,
        }


@dataclass(frozen=True)
class Subject:
    """Whose data is erased: every identity of one consumer's link group."""

    session: AsyncSession
    cipher: FieldCipher
    owners: tuple[int, ...]
    now: datetime


ConsumerStep = Callable[[Subject, Erased], Awaitable[None]]
CaseStep = Callable[[AsyncSession, Complaint, datetime], Awaitable[int]]


# --------------------------------------------------------------------------- per case


async def _case_fields(session: AsyncSession, complaint: Complaint, now: datetime) -> int:
    complaint.contact_name_enc = None
    complaint.contact_phone_enc = None
    complaint.description = ""
    complaint.order_number = None
    complaint.rating_comment = None
    complaint.consent_share = False
    return 0


async def _case_timeline(session: AsyncSession, complaint: Complaint, now: datetime) -> int:
    # Status moves stay (when, from, to: statistics); what anyone wrote goes.
    await session.execute(
        update(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.note.is_not(None))
        .values(note=None)
    )
    return 0


async def _case_evidence(session: AsyncSession, complaint: Complaint, now: datetime) -> int:
    query = select(Evidence).where(Evidence.complaint_id == complaint.id)
    rows = list(await session.scalars(query))
    await _drop_evidence(session, rows, now)
    return len(rows)


async def _case_notices(session: AsyncSession, complaint: Complaint, now: datetime) -> int:
    await session.execute(
        delete(OutboxNotice).where(
            OutboxNotice.complaint_id == complaint.id, OutboxNotice.status != NoticeStatus.SENDING
        )
    )
    return 0


async def _case_messages(session: AsyncSession, complaint: Complaint, now: datetime) -> int:
    # The conversation of the case (consumer, staff, merchant): every text is personal.
    await session.execute(delete(CaseMessage).where(CaseMessage.complaint_id == complaint.id))
    return 0


async def _case_audit_notes(session: AsyncSession, complaint: Complaint, now: datetime) -> int:
    # The entries stay (who did what, when); free text staff wrote into them goes.
    entries = await session.scalars(
        select(AuditEntry).where(AuditEntry.target == complaint.number)
    )
    for entry in entries:
        if isinstance(entry.detail, dict) and entry.detail.get("note"):
            entry.detail = {**entry.detail, "note": None}
    return 0


#: One step per table holding a case's personal data; each returns files removed.
CASE_STEPS: list[CaseStep] = [
    _case_fields, _case_timeline, _case_evidence, _case_notices, _case_messages,
    _case_audit_notes,
]


async def anonymise(
    *, session: AsyncSession, complaint: Complaint, now: datetime, reason: str
) -> int:
    """Keep ``complaint`` only as an anonymous record; returns the evidence files removed.

    ``reason`` (``erase_on_close``, ``consumer`` or ``retention``) goes to the audit log.
    """
    files = 0
    for step in CASE_STEPS:
        files += await step(session, complaint, now)
    complaint.anonymised_at = now
    complaint.erase_on_close = False
    session.add(
        AuditEntry(
            actor="system" if reason == "retention" else "consumer",
            action="complaint.anonymise",
            target=complaint.number,
            detail={"reason": reason, "files": files},
            at=now,
        )
    )
    await session.flush()
    return files


# --------------------------------------------------------------------------- per consumer


async def _drafts(subject: Subject, erased: Erased) -> None:
    session = subject.session
    rows = await session.scalars(
        select(ConversationRow).where(ConversationRow.identity_id.in_(subject.owners))
    )
    for row in rows:
        row.answers = subject.cipher.seal({})
        erased.drafts += 1
    draft_files = list(
        await session.scalars(
            select(Evidence).where(
                Evidence.identity_id.in_(subject.owners), Evidence.complaint_id.is_(None)
            )
        )
    )
    await _drop_evidence(session, draft_files, subject.now)
    erased.files += len(draft_files)


async def _stored_replies(subject: Subject, erased: Erased) -> None:
    # The dedupe rows stay (a redelivery must still not apply twice); their texts go.
    result = await subject.session.execute(
        update(ProcessedMessage)
        .where(ProcessedMessage.identity_id.in_(subject.owners))
        .values(replies=subject.cipher.seal([]))
    )
    erased.stored_replies += int(getattr(result, "rowcount", 0) or 0)


async def _link_codes(subject: Subject, erased: Erased) -> None:
    for model in (LinkCode, LinkAttempts):
        await subject.session.execute(delete(model).where(model.identity_id.in_(subject.owners)))


async def _notices(subject: Subject, erased: Erased) -> None:
    result = await subject.session.execute(
        delete(OutboxNotice).where(
            OutboxNotice.identity_id.in_(subject.owners), OutboxNotice.status.in_(_DELIVERED)
        )
    )
    erased.notices += int(getattr(result, "rowcount", 0) or 0)


async def _cases(subject: Subject, erased: Erased) -> None:
    rows = await subject.session.scalars(
        select(Complaint)
        .where(Complaint.identity_id.in_(subject.owners), Complaint.anonymised_at.is_(None))
        .order_by(Complaint.id)
        .with_for_update()
    )
    for complaint in list(rows):
        if complaint.status in lifecycle.FINAL_STATUSES:
            erased.files += await anonymise(
                session=subject.session, complaint=complaint, now=subject.now, reason="consumer"
            )
            erased.closed_cases += 1
        else:
            complaint.erase_on_close = True
            erased.open_cases += 1
            erased.open_numbers.append(complaint.number)


#: One step per table holding a consumer's personal data outside their cases' rows.
CONSUMER_STEPS: list[ConsumerStep] = [_drafts, _stored_replies, _link_codes, _notices, _cases]


async def erase_consumer(
    *, session: AsyncSession, cipher: FieldCipher, owners: Collection[int], now: datetime
) -> Erased:
    """Erase what can go now for the consumer of ``owners`` (a link group) and flag the rest.

    Runs inside the caller's transaction; the audit entry commits with it.
    """
    subject = Subject(session, cipher, tuple(sorted(set(owners))), now)
    erased = Erased()
    for step in CONSUMER_STEPS:
        await step(subject, erased)
    session.add(
        AuditEntry(
            actor="consumer",
            action="consumer.erase",
            target=f"identity:{min(subject.owners)}",
            detail=erased.counts(),
            at=now,
        )
    )
    await session.flush()
    return erased


# --------------------------------------------------------------------------- blobs


async def _drop_evidence(session: AsyncSession, rows: list[Evidence], now: datetime) -> None:
    keys = {row.blob_key for row in rows if row.blob_key}
    for row in rows:
        await session.delete(row)
    await session.flush()
    for key in sorted(keys):
        if await session.get(BlobErasure, key) is None:
            session.add(BlobErasure(key=key, requested_at=now))
    await session.flush()


async def purge_blobs(*, session: AsyncSession, blobs: BlobStore, limit: int = 500) -> int:
    """Delete queued evidence files that no evidence row names any more; returns how many.

    A file another complaint still uses (the same photo sent twice) stays; its queue row
    goes, and the file is queued again when that last row is erased.
    """
    queued = list(await session.scalars(select(BlobErasure).limit(limit)))
    removed = 0
    for item in queued:
        used = await session.scalar(
            select(Evidence.id).where(Evidence.blob_key == item.key).limit(1)
        )
        if used is None:
            try:
                removed += int(await asyncio.to_thread(blobs.delete, item.key))
            except ValueError:  # not a store key: nothing on disk to remove
                pass
        await session.delete(item)
    await session.flush()
    return removed
