"""Complaints linked and forwarded to merchants: the link, the forward, the answer clock,
consent to share the consumer's contact, and what a merchant may read.

A merchant reads only complaints forwarded to it, and of their timeline only the
entries meant for it (:data:`MERCHANT_KINDS`): never staff notes or staff messages.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import casework
from storage.models import (
    Complaint,
    ComplaintEvent,
    Evidence,
    Merchant,
    MerchantCase,
    MerchantConsent,
    MerchantOffer,
    Settlement,
)

#: Timeline kinds a merchant sees (with public status moves).
MERCHANT_KINDS = frozenset(
    {
        "forwarded",
        "merchant_message",
        "offer",
        "offer_accepted",
        "offer_declined",
        "settlement",
        "taken_back",
    }
)
CONSENT_DECISIONS = frozenset({"asked", "given", "refused", "withdrawn"})


class CaseError(ValueError):
    """A merchant step refused: the catalog key of why (``errors.<key>``, see
    :mod:`dialogs.refusals`), its parameters, and the HTTP status it maps to."""

    def __init__(self, key: str, status: int = 409, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.params = params


async def case_of(
    *, session: AsyncSession, complaint_id: int, lock: bool = False
) -> MerchantCase | None:
    query = select(MerchantCase).where(MerchantCase.complaint_id == complaint_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def link(
    *, session: AsyncSession, complaint: Complaint, merchant: Merchant, actor: str, now: datetime
) -> MerchantCase:
    """Link a complaint to a merchant; relinking to another merchant is refused while the
    first one has the case (forwarded and not taken back)."""
    case = await case_of(session=session, complaint_id=complaint.id, lock=True)
    if case is not None and case.merchant_id != merchant.id:
        if case.forwarded_at is not None and case.taken_back_at is None:
            raise CaseError("other_merchant")
        # Another merchant: it sees the case only once it is forwarded to it.
        case.forwarded_at = case.answer_due = case.answered_at = case.taken_back_at = None
        case.forward_note = None
    if case is None:
        case = MerchantCase(complaint_id=complaint.id, merchant_id=merchant.id)
        session.add(case)
    case.merchant_id = merchant.id
    case.linked_at = now
    case.linked_by = actor
    casework.add_event(
        session, complaint, kind="merchant_linked", actor=actor, note=merchant.name, now=now,
        public=False,
    )  # fmt: skip
    await session.flush()
    return case


def forwardable(complaint: Complaint) -> bool:
    """A merchant is asked only about a case the desk took (accepted or mediating)."""
    return complaint.status in casework.AWAITING_RESOLUTION


def mark_forwarded(
    session: AsyncSession,
    case: MerchantCase,
    complaint: Complaint,
    *,
    note: str | None,
    actor: str,
    now: datetime,
    answer_due: date,
) -> None:
    """Record the forward and start the merchant's answer clock."""
    case.forwarded_at = now
    case.forward_note = note
    case.answer_due = answer_due
    case.answered_at = None
    case.taken_back_at = None
    casework.add_event(
        session, complaint, kind="forwarded", actor=actor, note=note, now=now, public=False
    )


async def consent_state(
    *, session: AsyncSession, complaint_id: int, merchant_id: int
) -> str | None:
    """The newest consent decision for sharing contact with this merchant, if any."""
    decision: str | None = await session.scalar(
        select(MerchantConsent.decision)
        .where(
            MerchantConsent.complaint_id == complaint_id,
            MerchantConsent.merchant_id == merchant_id,
        )
        .order_by(MerchantConsent.id.desc())
        .limit(1)
    )
    return decision


async def consents_given(
    *, session: AsyncSession, owners: Collection[int]
) -> list[tuple[Complaint, int]]:
    """(complaint, merchant id) pairs where this consumer's consent currently stands."""
    rows = await session.execute(
        select(Complaint, MerchantConsent)
        .join(MerchantConsent, MerchantConsent.complaint_id == Complaint.id)
        .where(Complaint.identity_id.in_(list(owners)))
        .order_by(MerchantConsent.id)
    )
    latest: dict[tuple[int, int], tuple[Complaint, str]] = {}
    for complaint, consent in rows.all():
        latest[(complaint.id, consent.merchant_id)] = (complaint, consent.decision)
    return [(c, merchant_id) for (_, merchant_id), (c, d) in latest.items() if d == "given"]


def record_consent(
    session: AsyncSession, complaint: Complaint, merchant_id: int, decision: str, now: datetime
) -> MerchantConsent:
    """Append a consent decision (asked, given, refused, withdrawn)."""
    if decision not in CONSENT_DECISIONS:
        raise ValueError(f"unknown consent decision {decision!r}")
    row = MerchantConsent(
        complaint_id=complaint.id,
        merchant_id=merchant_id,
        identity_id=complaint.identity_id,
        decision=decision,
        at=now,
    )
    session.add(row)
    return row


async def forwarded_to(
    *, session: AsyncSession, merchant_id: int
) -> list[tuple[Complaint, MerchantCase]]:
    """The complaints forwarded to one merchant, newest forward first."""
    rows = await session.execute(
        select(Complaint, MerchantCase)
        .join(MerchantCase, MerchantCase.complaint_id == Complaint.id)
        .where(MerchantCase.merchant_id == merchant_id, MerchantCase.forwarded_at.is_not(None))
        .order_by(MerchantCase.forwarded_at.desc(), Complaint.id.desc())
    )
    return [(c, m) for c, m in rows.all()]


async def forwarded_case(
    *, session: AsyncSession, merchant_id: int, number: str, lock: bool = False
) -> tuple[Complaint, MerchantCase] | None:
    """One complaint forwarded to this merchant; None for any other (no hint it exists)."""
    query = (
        select(Complaint, MerchantCase)
        .join(MerchantCase, MerchantCase.complaint_id == Complaint.id)
        .where(
            Complaint.number == number,
            MerchantCase.merchant_id == merchant_id,
            MerchantCase.forwarded_at.is_not(None),
        )
    )
    if lock:
        query = query.with_for_update(of=Complaint)
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class MerchantView:
    """What a merchant may read of one forwarded complaint."""

    complaint: Complaint
    case: MerchantCase
    events: list[ComplaintEvent]
    evidence: list[Evidence]
    offers: list[MerchantOffer]
    settlement: Settlement | None
    contact_shared: bool


async def merchant_view(
    *, session: AsyncSession, complaint: Complaint, case: MerchantCase
) -> MerchantView:
    """The facts, demands, evidence and the timeline entries meant for the merchant."""
    events = await session.scalars(
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id)
        .order_by(ComplaintEvent.at, ComplaintEvent.id)
    )
    visible = [
        e for e in events
        if e.kind in MERCHANT_KINDS or (e.kind == "status" and e.public)
    ]  # fmt: skip
    evidence = await session.scalars(
        select(Evidence).where(Evidence.complaint_id == complaint.id).order_by(Evidence.id)
    )
    offers = await session.scalars(
        select(MerchantOffer)
        .where(MerchantOffer.complaint_id == complaint.id)
        .order_by(MerchantOffer.id)
    )
    settlement = await session.scalar(
        select(Settlement).where(Settlement.complaint_id == complaint.id)
    )
    consent = await consent_state(
        session=session, complaint_id=complaint.id, merchant_id=case.merchant_id
    )
    return MerchantView(
        complaint, case, visible, list(evidence), list(offers), settlement, consent == "given"
    )


async def overdue_cases(
    *, session: AsyncSession, today: date
) -> list[tuple[Complaint, MerchantCase, Merchant]]:
    """Forwarded cases whose merchant has not answered by its due date."""
    rows = await session.execute(
        select(Complaint, MerchantCase, Merchant)
        .join(MerchantCase, MerchantCase.complaint_id == Complaint.id)
        .join(Merchant, Merchant.id == MerchantCase.merchant_id)
        .where(*casework.merchant_overdue(today))
        .order_by(MerchantCase.answer_due, Complaint.id)
    )
    return [(c, m, mer) for c, m, mer in rows.all()]
