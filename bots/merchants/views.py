"""What merchants and staff read about merchants: JSON shapes shared by API and pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from dialogs.clock import iso
from storage.crypto import DecryptionError, FieldCipher
from storage.merchant_cases import MerchantView
from storage.models import Complaint, ComplaintEvent, Merchant, MerchantCase, MerchantOffer


def merchant_item(merchant: Merchant) -> dict[str, Any]:
    """A registry entry."""
    return {
        "id": merchant.id,
        "name": merchant.name,
        "aliases": list(merchant.aliases or []),
        "credit_code": merchant.credit_code,
        "address": merchant.address,
        "contact": merchant.contact,
        "odr": merchant.odr,
        "created_at": iso(merchant.created_at),
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _actor(actor: str) -> str:
    # Merchants learn that the desk acted, not which staff member did.
    return "desk" if actor.startswith("staff:") or actor == "system" else actor


def timeline_item(event: ComplaintEvent) -> dict[str, Any]:
    return {
        "at": iso(event.at),
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": _actor(event.actor),
        "note": event.note,
    }


def offer_item(offer: MerchantOffer, today: date) -> dict[str, Any]:
    status = offer.status
    if status == "pending" and offer.expires_on < today:
        status = "expired"
    return {
        "id": offer.id,
        "kind": offer.kind,
        "amount": str(offer.amount) if offer.amount is not None else None,
        "text": offer.text,
        "status": status,
        "expires_on": _day(offer.expires_on),
        "created_at": iso(offer.created_at),
        "decline_reason": offer.decline_reason,
    }


def case_summary(complaint: Complaint, case: MerchantCase, today: date) -> dict[str, Any]:
    """One row of the merchant's list."""
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


def case_detail(view: MerchantView, *, cipher: FieldCipher, today: date) -> dict[str, Any]:
    """Facts, demands, evidence, the entries meant for the merchant; contact with consent."""
    c = view.complaint
    contact = None
    if view.contact_shared:
        try:
            contact = {
                "name": cipher.decrypt(c.contact_name_enc),
                "phone": cipher.decrypt(c.contact_phone_enc),
            }
        except DecryptionError:
            contact = None
    body = case_summary(c, view.case, today)
    body.update(
        {
            "subcategory": c.subcategory,
            "merchant_name": c.merchant_name,
            "merchant_address": c.merchant_address,
            "order_number": c.order_number,
            "incident_date": _day(c.incident_date),
            "amount": str(c.amount) if c.amount is not None else None,
            "description": c.description,
            "demands": list(c.demands or []),
            "forward_note": view.case.forward_note,
            "contact_shared": contact is not None,
            "contact": contact,
            "evidence": [
                {
                    "id": e.id,
                    "kind": e.kind,
                    "mime": e.mime,
                    "file_name": e.file_name,
                    "sha256": e.sha256,
                    "download": (
                        f"/api/v1/merchant/complaints/{c.number}/evidence/{e.id}"
                        if e.fetch_status == "stored" else None
                    ),
                }
                for e in view.evidence
            ],
            "timeline": [timeline_item(e) for e in view.events],
            "offers": [offer_item(o, today) for o in view.offers],
            "settlement": (
                {
                    "kind": view.settlement.kind,
                    "amount": (
                        str(view.settlement.amount) if view.settlement.amount is not None else None
                    ),
                    "text": view.settlement.text,
                    "fulfil_by": _day(view.settlement.fulfil_by),
                    "agreed_at": iso(view.settlement.agreed_at),
                }
                if view.settlement else None
            ),
        }
    )  # fmt: skip
    return body
