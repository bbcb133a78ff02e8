"""The consumer's answers to a merchant: an offer accepted or declined, consent to share
their contact details. Run by the command runner inside the consumer's turn."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.clock import local_date
from dialogs.command_results import CommandResult, Done, OfferAnswered, Refused
from dialogs.commands import AnswerConsent, AnswerOffer
from storage import casework, complaints, merchant_cases, offers
from storage.models import Identity, Merchant
from storage.workdays import WorkCalendar


async def answer_offer(
    session: AsyncSession,
    command: AnswerOffer,
    now: datetime,
    *,
    owners: Collection[int],
    calendar: WorkCalendar,
    settle_workdays: int,
) -> CommandResult:
    """Accept (settlement, resolved) or decline (back to mediation) an offer."""
    today = local_date(now)
    fulfil_by = calendar.add_workdays(today, settle_workdays)
    outcome = await offers.answer(
        session=session, offer_id=command.offer_id, owners=owners, accept=command.accept,
        reason=command.reason, now=now, today=today, fulfil_by=fulfil_by,
    )  # fmt: skip
    if isinstance(outcome, str):
        return Refused(outcome)
    complaint, offer = outcome
    accepted = offer.status == "accepted"
    return OfferAnswered(complaint.number, accepted, fulfil_by if accepted else None)


async def answer_consent(
    session: AsyncSession,
    identity: Identity,
    command: AnswerConsent,
    now: datetime,
    *,
    owners: Collection[int],
) -> CommandResult:
    """Record consent given or refused for the merchant the question named."""
    complaint = await complaints.own_complaint(
        session=session, identity=identity, number=command.number, lock=True, owners=owners
    )
    if complaint is None:
        return Refused("not_found")
    case = await merchant_cases.case_of(session=session, complaint_id=complaint.id)
    if case is None or case.merchant_id != command.merchant_id:
        return Refused("not_found")
    decision = "given" if command.given else "refused"
    merchant_cases.record_consent(session, complaint, case.merchant_id, decision, now)
    merchant = await session.get_one(Merchant, case.merchant_id)
    casework.add_event(
        session, complaint, kind="consent", actor="consumer",
        note=f"contact {decision} for {merchant.name}", now=now, public=False,
    )  # fmt: skip
    return Done()
