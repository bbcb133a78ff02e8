"""What staff do with merchants: link a complaint, forward it, take it back.

Forwarding starts the merchant's answer clock and, when the consumer left contact
details, asks the consumer in their own channel whether that merchant may have them
(PIPL art. 23: the question names the recipient and the purpose). Until the consumer
says yes, the merchant sees the case without any contact detail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bots.services import Services
from bots.staff.errors import Conflict, Invalid, NotFound
from bots.staff.guards import locked_complaint, today
from dialogs import offers as offer_dialog
from dialogs.validators import clean_text
from dialogs.vocabulary import ComplaintStatus
from storage import audit, casework, complaints, merchant_cases, outbox
from storage import merchants as merchant_store
from storage.merchant_cases import CaseError
from storage.models import Complaint, Identity, Merchant, Staff


async def link(services: Services, staff: Staff, number: str, merchant_id: int) -> Merchant:
    """Link the complaint to a registered merchant."""
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        merchant = await merchant_store.get(session=session, merchant_id=merchant_id)
        if merchant is None:
            raise Invalid("no_merchant", merchant=merchant_id)
        await link_in(session, complaint, merchant, staff, services.now())
    return merchant


async def link_in(
    session: AsyncSession, complaint: Complaint, merchant: Merchant, staff: Staff, now: datetime
) -> None:
    """The link inside the caller's transaction, with its audit entry."""
    try:
        await merchant_cases.link(
            session=session, complaint=complaint, merchant=merchant,
            actor=audit.actor_of(staff), now=now,
        )  # fmt: skip
    except CaseError as error:
        raise Conflict(error.key, **error.params) from None
    audit.record(session, staff=staff, action="complaint.merchant", target=complaint.number,
                 now=now, detail={"merchant": merchant.id})  # fmt: skip


async def forward(services: Services, staff: Staff, number: str, note: str | None) -> int | None:
    """Send the complaint to its merchant; returns the consent question's notice id."""
    note = clean_text(note or "") or None
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        return await forward_audited(services, session, complaint, staff, note)


async def forward_audited(
    services: Services, session: AsyncSession, complaint: Complaint, staff: Staff,
    note: str | None,
) -> int | None:  # fmt: skip
    """A staff member's forward inside the caller's transaction, with its audit entry."""
    now = services.now()
    notice = await forward_in(services, session, complaint, staff, note, now)
    audit.record(session, staff=staff, action="complaint.forward", target=complaint.number,
                 now=now, detail={"note": note, "consent_notice": notice})  # fmt: skip
    return notice


async def forward_in(
    services: Services,
    session: AsyncSession,
    complaint: Complaint,
    staff: Staff | None,
    note: str | None,
    now: datetime,
) -> int | None:
    """The forward inside the caller's transaction (also used on acceptance for ODR)."""
    case = await merchant_cases.case_of(session=session, complaint_id=complaint.id, lock=True)
    if case is None:
        raise Invalid("link_first", number=complaint.number)
    if not merchant_cases.forwardable(complaint):
        raise Conflict("not_forwardable", number=complaint.number, status=complaint.status)
    merchant = await session.get_one(Merchant, case.merchant_id)
    due = services.deadlines.calendar.add_workdays(
        today(services), services.settings.merchant_answer_workdays
    )
    actor = audit.actor_of(staff) if staff else "system"
    merchant_cases.mark_forwarded(
        session, case, complaint, note=note, actor=actor, now=now, answer_due=due
    )
    has_contact = complaint.contact_name_enc is not None or complaint.contact_phone_enc is not None
    consent = await merchant_cases.consent_state(
        session=session, complaint_id=complaint.id, merchant_id=merchant.id
    )
    if not has_contact or consent in ("given", "refused", "withdrawn"):
        return None
    merchant_cases.record_consent(session, complaint, merchant.id, "asked", now)
    identity = await session.get_one(Identity, complaint.identity_id)
    number, merchant_id, name = complaint.number, merchant.id, merchant.name
    replies = await services.engine.apply(
        session,
        identity,
        lambda conv: offer_dialog.enter_consent(
            conv, number=number, merchant_id=merchant_id, merchant=name, now=now,
            options=services.engine.options,
        ),
    )  # fmt: skip
    notice = await outbox.enqueue(
        session=session, identity=identity, replies=replies, now=now,
        complaint_id=complaint.id, kind="consent",
    )  # fmt: skip
    return notice.id


async def forward_on_accept(
    services: Services, session: AsyncSession, complaint: Complaint, staff: Staff, now: datetime
) -> None:
    """``WEIQUAN_ODR_FORWARD_ON_ACCEPT``: an accepted case of an ODR merchant goes to it."""
    if not services.settings.odr_forward_on_accept:
        return
    case = await merchant_cases.case_of(session=session, complaint_id=complaint.id)
    if case is None or case.forwarded_at is not None:
        return
    merchant = await session.get_one(Merchant, case.merchant_id)
    if merchant.odr:
        await forward_in(services, session, complaint, staff, None, now)


async def take_back(services: Services, staff: Staff, number: str, note: str | None) -> None:
    """Staff take the case back from the merchant (an unanswered forward, typically)."""
    note = clean_text(note or "") or None
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        case = await merchant_cases.case_of(session=session, complaint_id=complaint.id, lock=True)
        if case is None or case.forwarded_at is None:
            raise NotFound("not_forwarded", number=number)
        if case.taken_back_at is not None:
            raise Conflict("already_taken_back", number=number)
        now = services.now()
        case.taken_back_at = now
        actor = audit.actor_of(staff)
        casework.add_event(
            session, complaint, kind="taken_back", actor=actor, note=note, now=now, public=False
        )
        if complaint.status == ComplaintStatus.ACCEPTED:
            await complaints.move_status(
                session=session, complaint=complaint, target=ComplaintStatus.MEDIATING,
                actor=actor,
                note=note, now=now,
            )  # fmt: skip
        audit.record(session, staff=staff, action="complaint.take_back", target=number, now=now)
