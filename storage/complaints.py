"""Complaints as the domain speaks of them: file, list, show, move, withdraw, rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs import lifecycle
from dialogs.events import ComplaintDetail, ComplaintSummary, TimelineEntry
from storage.crypto import FieldCipher
from storage.models import Complaint, ComplaintEvent, Evidence, Identity
from storage.workdays import WorkCalendar


@dataclass(frozen=True)
class Deadlines:
    """Working-day rules for new complaints."""

    calendar: WorkCalendar
    accept_workdays: int = 7
    resolve_workdays: int = 60


def _parse_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _parse_amount(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def complaint_number(filed: datetime, complaint_id: int) -> str:
    """The public number: filing date and a sequence, e.g. ``20261122000042``."""
    return f"{filed:%Y%m%d}{complaint_id:06d}"


async def file_complaint(
    *,
    session: AsyncSession,
    identity: Identity,
    draft: dict[str, Any],
    deadlines: Deadlines,
    cipher: FieldCipher,
    now: datetime,
) -> Complaint:
    """File a validated draft from the intake dialog and attach its evidence."""
    accept_due, resolve_due = deadlines.calendar.deadlines(
        now.date(), deadlines.accept_workdays, deadlines.resolve_workdays
    )
    complaint = Complaint(
        number=f"pending-{identity.id}-{now.timestamp()}",
        identity_id=identity.id,
        platform=identity.platform,
        type=draft["type"],
        category=draft.get("category") or "other",
        subcategory=draft.get("subcategory"),
        merchant_name=draft.get("merchant_name"),
        merchant_address=draft.get("merchant_address"),
        order_number=draft.get("order_number"),
        incident_date=_parse_date(draft.get("incident_date")),
        amount=_parse_amount(draft.get("amount")),
        description=draft.get("description") or "",
        demands=list(draft.get("demands") or []),
        contact_name_enc=cipher.encrypt(draft.get("contact_name")),
        contact_phone_enc=cipher.encrypt(draft.get("contact_phone")),
        consent_share=bool(draft.get("consent_share")),
        language=draft.get("language") or identity.language,
        status="submitted",
        filed_at=now,
        updated_at=now,
        accept_due=accept_due,
        resolve_due=resolve_due,
    )
    session.add(complaint)
    await session.flush()
    complaint.number = complaint_number(now, complaint.id)
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            kind="status",
            to_status="submitted",
            actor="consumer",
            at=now,
        )
    )
    draft_evidence = await session.scalars(
        select(Evidence).where(Evidence.identity_id == identity.id, Evidence.complaint_id.is_(None))
    )
    for item in draft_evidence:
        item.complaint_id = complaint.id
    await session.flush()
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
        rating=complaint.rating,
    )


async def own_complaint(
    *, session: AsyncSession, identity: Identity, number: str, lock: bool = False
) -> Complaint | None:
    """One of the consumer's own complaints; None for anyone else's."""
    query = select(Complaint).where(
        Complaint.number == number, Complaint.identity_id == identity.id
    )
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_own(
    *, session: AsyncSession, identity: Identity, limit: int = 20
) -> list[ComplaintSummary]:
    """The consumer's complaints, newest first."""
    rows = await session.scalars(
        select(Complaint)
        .where(Complaint.identity_id == identity.id)
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
) -> ComplaintEvent:
    """Move a complaint to ``target`` if the lifecycle allows it, and record who and why.

    ``reason`` is a rejection's reason from ``lifecycle.REJECTION_REASONS``.

    Raises:
        lifecycle.IllegalMove: the move is not one the lifecycle allows.
    """
    lifecycle.check_move(complaint.status, target)
    event = ComplaintEvent(
        complaint_id=complaint.id,
        kind="status",
        from_status=complaint.status,
        to_status=target,
        actor=actor,
        note=note,
        reason=reason,
        at=now,
    )
    complaint.status = target
    complaint.updated_at = now
    if target == "accepted":
        complaint.accepted_at = now
        if deadlines is not None:
            complaint.resolve_due = deadlines.calendar.add_workdays(
                now.date(), deadlines.resolve_workdays
            )
    elif target in ("resolved", "failed"):
        complaint.resolved_at = now
    elif target in lifecycle.FINAL_STATUSES:
        complaint.closed_at = now
    session.add(event)
    await session.flush()
    return event


async def withdraw(*, session: AsyncSession, complaint: Complaint, now: datetime) -> bool:
    """The consumer withdraws; False when the status no longer allows it."""
    if not lifecycle.consumer_can_withdraw(complaint.status):
        return False
    await move_status(
        session=session,
        complaint=complaint,
        target="withdrawn",
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
