"""Complaints as the domain speaks of them: file, list, show, move, withdraw, rate."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from dialogs import lifecycle
from dialogs.clock import local_date
from dialogs.command_results import ComplaintDetail, ComplaintSummary, TimelineEntry
from dialogs.draft import Draft
from dialogs.vocabulary import ComplaintStatus
from storage import consents, status_machine
from storage.crypto import FieldCipher
from storage.deadlines import Deadlines
from storage.models import Complaint, ComplaintEvent, Evidence, Identity, NumberSequence

__all__ = ["Deadlines", "complaint_number", "file_complaint", "next_number"]


def complaint_number(day: date, sequence: int) -> str:
    """The public number: the local filing day and that day's sequence.

    ``20261124000042`` is the 42nd complaint filed on 24 November 2026, China time.
    """
    return f"{day:%Y%m%d}{sequence:06d}"


async def next_number(*, session: AsyncSession, day: date) -> str:
    """The next number of the local ``day``; the sequence restarts at local midnight.

    One upsert on the day's row: on PostgreSQL it holds the row lock until the filing
    transaction commits, so two filings at once get different numbers (and a rolled
    back filing gives its number back).
    """
    bind = session.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(NumberSequence)
        .values(day=day, last=1)
        .on_conflict_do_update(
            index_elements=[NumberSequence.day], set_={"last": NumberSequence.last + 1}
        )
        .returning(NumberSequence.last)
    )
    sequence = int((await session.execute(statement)).scalar_one())
    return complaint_number(day, sequence)


# The day's row is locked from the upsert to the commit, so the number is taken last,
# in the statement that writes it (complaint_number's format, spelt in SQL).
_NUMBER_PG = text("""
WITH n AS (
    INSERT INTO number_sequences (day, last) VALUES (:day, 1)
    ON CONFLICT (day) DO UPDATE SET last = number_sequences.last + 1
    RETURNING last
)
UPDATE complaints SET number = :prefix || CASE WHEN n.last < 1000000
    THEN lpad(n.last::text, 6, '0') ELSE n.last::text END
FROM n WHERE complaints.id = :id
RETURNING complaints.number
""")


def _provisional_number() -> str:
    # Unique until the real number replaces it, later in the same transaction; never
    # committed, so no one else ever sees it.
    return "~" + secrets.token_hex(15)


async def _number(session: AsyncSession, complaint: Complaint, day: date) -> None:
    """Give the flushed ``complaint`` the day's next number: the filing's last write.

    Other filings of the day wait on the sequence row from here to our commit (that
    is what keeps the numbers dense: a rolled back filing gives its number back), so
    everything else of the filing is done before.
    """
    if session.get_bind().dialect.name == "postgresql":
        number = (
            await session.execute(
                _NUMBER_PG, {"day": day, "prefix": f"{day:%Y%m%d}", "id": complaint.id}
            )
        ).scalar_one()
        set_committed_value(complaint, "number", number)
        return
    complaint.number = await next_number(session=session, day=day)
    await session.flush()


async def file_complaint(
    *,
    session: AsyncSession,
    identity: Identity,
    draft: Draft,
    deadlines: Deadlines,
    cipher: FieldCipher,
    now: datetime,
) -> Complaint:
    """File a validated draft from the intake dialog and attach its evidence.

    The number and the deadlines follow the local day of ``now`` (China time): filed
    at 01:00 Beijing time is filed that day, not the UTC day before.
    """
    day = local_date(now)
    complaint = Complaint(
        number=_provisional_number(),
        identity_id=identity.id,
        platform=identity.platform,
        type=draft.type,
        category=draft.category or "other",
        subcategory=draft.subcategory,
        merchant_name=draft.merchant_name,
        merchant_address=draft.merchant_address,
        order_number=draft.order_number,
        incident_date=draft.incident_date,
        amount=draft.amount,
        description=draft.description or "",
        demands=list(draft.demands),
        contact_name_enc=cipher.encrypt(draft.contact_name),
        contact_phone_enc=cipher.encrypt(draft.contact_phone),
        phone_hash=cipher.phone_index(draft.contact_phone),
        consent_share=draft.consent_share,
        language=draft.language,
        status=ComplaintStatus.SUBMITTED,
        filed_at=now,
        updated_at=now,
        deadline_extensions={},
    )
    deadlines.start_at_filing(complaint, day)
    session.add(complaint)
    await session.flush()
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            kind="status",
            to_status=ComplaintStatus.SUBMITTED,
            actor="consumer",
            at=now,
        )
    )
    draft_evidence = await session.scalars(
        select(Evidence).where(Evidence.identity_id == identity.id, Evidence.complaint_id.is_(None))
    )
    for item in draft_evidence:
        item.complaint_id = complaint.id
    if complaint.consent_share:
        consents.record_given(session=session, complaint=complaint, now=now)
    await session.flush()
    await _number(session, complaint, day)
    return complaint


def summarise(complaint: Complaint) -> ComplaintSummary:
    """What the consumer sees of a complaint in lists."""
    return ComplaintSummary(
        number=complaint.number,
        type=complaint.type,
        category=complaint.category,
        status=complaint.status,
        filed_at=complaint.filed_at,
        updated_at=complaint.updated_at,
        accept_due=complaint.accept_due,
        resolve_due=complaint.resolve_due,
        decision_due=complaint.decision_due,
        answer_due=complaint.answer_due,
        rating=complaint.rating,
    )


def _owned_by(identity: Identity, owners: Collection[int] | None) -> Any:
    # A linked consumer owns the complaints of every identity of their link group.
    if owners:
        return Complaint.identity_id.in_(sorted({identity.id, *owners}))
    return Complaint.identity_id == identity.id


async def own_complaint(
    *,
    session: AsyncSession,
    identity: Identity,
    number: str,
    lock: bool = False,
    owners: Collection[int] | None = None,
) -> Complaint | None:
    """One of the consumer's own complaints; None for anyone else's.

    ``owners``: the identity ids of the consumer's link group (storage.links).
    """
    query = select(Complaint).where(Complaint.number == number, _owned_by(identity, owners))
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_own(
    *,
    session: AsyncSession,
    identity: Identity,
    limit: int = 20,
    owners: Collection[int] | None = None,
) -> list[ComplaintSummary]:
    """The consumer's complaints (of their whole link group with ``owners``), newest first."""
    rows = await session.scalars(
        select(Complaint)
        .where(_owned_by(identity, owners))
        .order_by(Complaint.filed_at.desc(), Complaint.id.desc())
        .limit(limit)
    )
    return [summarise(row) for row in rows]


async def detail_for_consumer(*, session: AsyncSession, complaint: Complaint) -> ComplaintDetail:
    """A complaint with its public timeline (no internal notes)."""
    events = await session.scalars(
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.public.is_(True))
        .where(ComplaintEvent.kind.in_(("status", "message")))
        .order_by(ComplaintEvent.at, ComplaintEvent.id)
    )
    timeline = tuple(
        TimelineEntry(at=e.at, status=e.to_status or complaint.status, note=e.note,
                      reason=e.reason)
        for e in events
    )
    evidence_count = await count_evidence(session=session, complaint_id=complaint.id)
    return ComplaintDetail(
        summary=summarise(complaint),
        timeline=timeline,
        evidence_count=evidence_count,
        can_add_evidence=complaint.status not in lifecycle.FINAL_STATUSES,
        can_withdraw=lifecycle.consumer_can_withdraw(complaint.status),
        can_rate=lifecycle.consumer_can_rate(complaint.status) and complaint.rating is None,
    )


async def count_evidence(*, session: AsyncSession, complaint_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Evidence).where(Evidence.complaint_id == complaint_id)
        )
        or 0
    )


async def move_status(
    *,
    session: AsyncSession,
    complaint: Complaint,
    target: str,
    actor: str,
    note: str | None,
    now: datetime,
    deadlines: Deadlines | None = None,
    reason: str | None = None,
    tell: Identity | None = None,
) -> status_machine.Move:
    """Move a complaint to ``target`` through the lifecycle machine.

    The machine records who and why on the timeline and, with ``tell``, queues that
    consumer's progress notice (``storage/status_machine.py``). ``reason`` is a
    rejection's reason from ``lifecycle.REJECTION_REASONS``.

    Raises:
        lifecycle.IllegalMove: the move is not one the lifecycle allows.
    """
    facts = status_machine.Move(
        session=session, actor=actor, note=note, now=now, reason=reason,
        deadlines=deadlines, tell=tell,
    )  # fmt: skip
    return await status_machine.move(complaint, target, facts)


async def withdraw(*, session: AsyncSession, complaint: Complaint, now: datetime) -> bool:
    """The consumer withdraws; False when the status no longer allows it."""
    if not lifecycle.consumer_can_withdraw(complaint.status):
        return False
    await move_status(
        session=session,
        complaint=complaint,
        target=ComplaintStatus.WITHDRAWN,
        actor="consumer",
        note=None,
        now=now,
    )
    return True


async def rate(
    *,
    session: AsyncSession,
    complaint: Complaint,
    score: int,
    comment: str | None,
    now: datetime,
) -> bool:
    """Record the consumer's rating once the complaint is resolved or closed."""
    if not lifecycle.consumer_can_rate(complaint.status) or complaint.rating is not None:
        return False
    if not 1 <= score <= 5:
        return False
    complaint.rating = score
    complaint.rating_comment = comment
    complaint.rated_at = now
    complaint.updated_at = now
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            kind="rating",
            actor="consumer",
            note=f"{score}" + (f" {comment}" if comment else ""),
            at=now,
            public=False,
        )
    )
    return True
