"""What merchants and staff read about merchants: the models of
:mod:`bots.merchants.schemas`, shared by the APIs and the pages."""

from __future__ import annotations

from datetime import date

from bots.merchants.schemas import (
    MerchantCaseDetail,
    MerchantCaseSummary,
    MerchantEvidence,
    MerchantItem,
    MerchantTimelineItem,
    OfferItem,
    OverdueCase,
    Settlement,
    SharedContact,
)
from dialogs.clock import iso
from dialogs.vocabulary import FetchStatus
from storage import offers
from storage.crypto import DecryptionError, FieldCipher
from storage.merchant_cases import MerchantView
from storage.models import Complaint, ComplaintEvent, Merchant, MerchantCase, MerchantOffer


def merchant_item(merchant: Merchant) -> MerchantItem:
    """A registry entry."""
    return MerchantItem(
        id=merchant.id,
        name=merchant.name,
        aliases=list(merchant.aliases or []),
        credit_code=merchant.credit_code,
        address=merchant.address,
        contact=merchant.contact,
        odr=merchant.odr,
        created_at=iso(merchant.created_at),
    )


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _yuan(amount: object) -> str | None:
    return str(amount) if amount is not None else None


def _actor(actor: str) -> str:
    # Merchants learn that the desk acted, not which staff member did.
    return "desk" if actor.startswith("staff:") or actor == "system" else actor


def timeline_item(event: ComplaintEvent) -> MerchantTimelineItem:
    return MerchantTimelineItem(
        at=iso(event.at),
        kind=event.kind,
        from_status=event.from_status,
        to_status=event.to_status,
        actor=_actor(event.actor),
        note=event.note,
        offer_kind=offers.offer_kind(event),
    )


def offer_item(offer: MerchantOffer, today: date) -> OfferItem:
    status = offer.status
    if status == "pending" and offer.expires_on < today:
        status = "expired"
    return OfferItem(
        id=offer.id,
        kind=offer.kind,
        amount=_yuan(offer.amount),
        text=offer.text,
        status=status,
        expires_on=offer.expires_on.isoformat(),
        created_at=iso(offer.created_at),
        decline_reason=offer.decline_reason,
    )


def _summary_fields(complaint: Complaint, case: MerchantCase, today: date) -> dict[str, object]:
    overdue = bool(
        case.answer_due and case.answered_at is None and case.answer_due < today
        and case.taken_back_at is None
    )  # fmt: skip
    return {
        "number": complaint.number,
        "type": complaint.type,
        "category": complaint.category,
        "status": complaint.status,
        "filed_at": iso(complaint.filed_at),
        "forwarded_at": iso(case.forwarded_at),
        "answer_due": _day(case.answer_due),
        "answered_at": iso(case.answered_at),
        "answer_overdue": overdue,
        "taken_back": case.taken_back_at is not None,
    }


def case_summary(complaint: Complaint, case: MerchantCase, today: date) -> MerchantCaseSummary:
    """One row of the merchant's list."""
    return MerchantCaseSummary.model_validate(_summary_fields(complaint, case, today))


def overdue_case(
    complaint: Complaint, case: MerchantCase, merchant: Merchant, today: date
) -> OverdueCase:
    """A forwarded case its merchant left unanswered past the due day (alerts)."""
    return OverdueCase.model_validate(
        {**_summary_fields(complaint, case, today), "merchant": merchant_item(merchant)}
    )


def _contact(view: MerchantView, cipher: FieldCipher) -> SharedContact | None:
    if not view.contact_shared:
        return None
    c = view.complaint
    try:
        return SharedContact(
            name=cipher.decrypt(c.contact_name_enc), phone=cipher.decrypt(c.contact_phone_enc)
        )
    except DecryptionError:
        return None


def case_detail(view: MerchantView, *, cipher: FieldCipher, today: date) -> MerchantCaseDetail:
    """Facts, demands, evidence, the entries meant for the merchant; contact with consent."""
    c = view.complaint
    contact = _contact(view, cipher)
    deal = view.settlement
    return MerchantCaseDetail.model_validate(
        {
            **_summary_fields(c, view.case, today),
            "subcategory": c.subcategory,
            "merchant_name": c.merchant_name,
            "merchant_address": c.merchant_address,
            "order_number": c.order_number,
            "incident_date": _day(c.incident_date),
            "amount": _yuan(c.amount),
            "description": c.description,
            "demands": list(c.demands or []),
            "forward_note": view.case.forward_note,
            "contact_shared": contact is not None,
            "contact": contact,
            "evidence": [
                MerchantEvidence(
                    id=e.id, kind=e.kind, mime=e.mime, file_name=e.file_name, sha256=e.sha256,
                    download=(
                        f"/api/v1/merchant/complaints/{c.number}/evidence/{e.id}"
                        if e.fetch_status == FetchStatus.STORED else None
                    ),
                )
                for e in view.evidence
            ],
            "timeline": [timeline_item(e) for e in view.events],
            "offers": [offer_item(o, today) for o in view.offers],
            "settlement": (
                Settlement(
                    kind=deal.kind, amount=_yuan(deal.amount), text=deal.text,
                    fulfil_by=deal.fulfil_by.isoformat(), agreed_at=iso(deal.agreed_at),
                )
                if deal else None
            ),
        }
    )  # fmt: skip
