"""Merchants' offers and the settlements they become when a consumer accepts.

Accepting resolves the complaint through the lifecycle machine with the offer as the
note; declining hands the case back to the desk's mediation. Both are timeline entries
the merchant and the staff read.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.vocabulary import ComplaintStatus
from storage import casework, complaints
from storage.merchant_cases import CaseError
from storage.models import Complaint, ComplaintEvent, Merchant, MerchantOffer, Settlement

KINDS = ("refund", "return", "exchange", "repair", "compensation", "apology", "other")
MAX_AMOUNT = Decimal("9999999999.99")


def parse_amount(value: str | None) -> Decimal | None:
    """An offer's amount in yuan ("3999.00"); None when not given.

    Raises:
        CaseError: not a positive amount with at most two decimals (422).
    """
    if value is None or not str(value).strip():
        return None
    text = str(value).strip().replace(",", "").lstrip("¥￥")
    if len(text) > 20:
        raise CaseError("amount_too_long", 422)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CaseError("not_an_amount", 422, amount=text[:20]) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise CaseError("amount_range", 422)
    if amount != amount.quantize(Decimal("0.01")):
        raise CaseError("amount_decimals", 422)
    return amount.quantize(Decimal("0.01"))


#: Timeline entries about an offer: their ``reason`` holds the offer's kind, a code that
#: is labelled when shown (entries written before it have the code in their note).
OFFER_ENTRIES = frozenset({"offer", "offer_accepted", "settlement"})


def describe(offer: MerchantOffer) -> str:
    """The offer's terms as a timeline note: the amount and the merchant's words (its kind
    goes beside them as a code, see :data:`OFFER_ENTRIES`)."""
    amount = f"¥{offer.amount}: " if offer.amount is not None else ""
    return f"{amount}{offer.text}"


def offer_kind(event: ComplaintEvent) -> str | None:
    """The kind of offer a timeline entry is about (None for other entries)."""
    return event.reason if event.kind in OFFER_ENTRIES else None


def fulfil_by(event: ComplaintEvent, settlements: Collection[Settlement]) -> date | None:
    """The day a settlement entry's agreement is to be carried out by (None for others).

    The entry and its settlement are written together, at one moment; the day is shown
    in the reader's words beside the entry (older entries have it in English in their
    note).
    """
    if event.kind != "settlement":
        return None
    return next((s.fulfil_by for s in settlements if s.agreed_at == event.at), None)


def pending_offer(offers: Collection[MerchantOffer]) -> MerchantOffer | None:
    return next((o for o in offers if o.status == "pending"), None)


async def make_offer(
    *,
    session: AsyncSession,
    complaint: Complaint,
    merchant: Merchant,
    kind: str,
    amount: Decimal | None,
    text: str,
    actor: str,
    now: datetime,
    expires_on: date,
) -> MerchantOffer:
    """Record an offer (replacing a pending one, which is withdrawn).

    Raises:
        CaseError: an unknown kind (422), or the complaint is no longer open to offers.
    """
    if kind not in KINDS:
        raise CaseError("offer_kind", 422, kinds=KINDS)
    if complaint.status not in casework.AWAITING_RESOLUTION:
        raise CaseError("no_offers", number=complaint.number, status=complaint.status)
    earlier = await session.scalars(
        select(MerchantOffer).where(
            MerchantOffer.complaint_id == complaint.id, MerchantOffer.status == "pending"
        )
    )
    for old in earlier:
        old.status = "withdrawn"
        old.answered_at = now
    offer = MerchantOffer(
        complaint_id=complaint.id,
        merchant_id=merchant.id,
        kind=kind,
        amount=amount,
        text=text,
        status="pending",
        made_by=actor,
        created_at=now,
        expires_on=expires_on,
    )
    session.add(offer)
    await session.flush()
    casework.add_event(
        session, complaint, kind="offer", actor=actor, note=describe(offer), now=now, public=True,
        reason=offer.kind,
    )
    return offer


async def answer(
    *,
    session: AsyncSession,
    offer_id: int,
    owners: Collection[int],
    accept: bool,
    reason: str | None,
    now: datetime,
    today: date,
    fulfil_by: date,
) -> tuple[Complaint, MerchantOffer] | str:
    """The consumer's answer; a refusal reason string when it cannot be applied.

    Refusals: ``no_offer`` (not this consumer's), ``offer_gone`` (answered, withdrawn,
    expired, or the complaint moved on).
    """
    offer = await session.get(MerchantOffer, offer_id)
    # The complaint's row first, as staff actions lock it: one lock order, no deadlock.
    complaint = (
        await session.get(Complaint, offer.complaint_id, with_for_update=True) if offer else None
    )
    if offer is None or complaint is None or complaint.identity_id not in owners:
        return "no_offer"
    await session.refresh(offer, with_for_update=True)
    if offer.status == "pending" and offer.expires_on < today:
        offer.status = "expired"
    if offer.status != "pending" or complaint.status not in casework.AWAITING_RESOLUTION:
        return "offer_gone"
    offer.answered_at = now
    if accept:
        offer.status = "accepted"
        session.add(
            Settlement(
                complaint_id=complaint.id, offer_id=offer.id, merchant_id=offer.merchant_id,
                kind=offer.kind, amount=offer.amount, text=offer.text, fulfil_by=fulfil_by,
                agreed_at=now,
            )
        )  # fmt: skip
        casework.add_event(
            session, complaint, kind="offer_accepted", actor="consumer", note=describe(offer),
            now=now, public=True, reason=offer.kind,
        )  # fmt: skip
        casework.add_event(
            session, complaint, kind="settlement", actor="consumer",
            note=describe(offer), now=now, public=True,
            reason=offer.kind,
        )  # fmt: skip
        await complaints.move_status(
            session=session, complaint=complaint, target=ComplaintStatus.RESOLVED, actor="consumer",
            note=describe(offer), now=now,
        )  # fmt: skip
        return complaint, offer
    offer.status = "declined"
    offer.decline_reason = reason
    casework.add_event(
        session, complaint, kind="offer_declined", actor="consumer", note=reason, now=now,
        public=True,
    )  # fmt: skip
    if complaint.status != ComplaintStatus.MEDIATING:
        await complaints.move_status(
            session=session, complaint=complaint, target=ComplaintStatus.MEDIATING,
            actor="consumer", now=now,
            note=f"offer declined: {reason}" if reason else "offer declined",
        )  # fmt: skip
    return complaint, offer
