"""Drafts stored by earlier versions (a sealed JSON mapping of answers) still file, typed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text

from bots.services import Services
from dialogs.events import TextMessage
from dialogs.vocabulary import Platform
from storage.models import Complaint

STEPS = [
    "category", "subcategory", "handled_elsewhere", "merchant_name", "merchant_address",
    "order_number", "incident_date", "amount", "description", "demands", "evidence",
    "contact_name", "contact_phone", "consent_share",
]
OLD_DRAFT: dict[str, Any] = {
    "category": "appliances", "subcategory": "large_appliance", "handled_elsewhere": False,
    "merchant_name": "Suning", "merchant_address": None, "order_number": "SN-1",
    "incident_date": "2026-11-18", "amount": "3999.00",
    "description": "The fridge stopped cooling after two days.", "demands": ["refund"],
    "contact_name": "Li Lei", "contact_phone": "+8613812345678", "consent_share": True,
}


def message(user: str, body: str, message_id: str) -> TextMessage:
    return TextMessage(
        platform=Platform.WEB, user_id=user, message_id=message_id,
        received_at=datetime.now(UTC), language_hint="en", text=body,
    )  # fmt: skip


async def file_stored(services: Services, user: str, draft: dict[str, Any]) -> Complaint:
    await services.engine.handle(message(user, "hi", f"{user}-1"))
    answers = {"type": "complaint", "draft": draft, "done_steps": STEPS, "editing": False,
               "evidence_count": 0}
    async with services.database.engine.begin() as conn:
        await conn.execute(
            text("UPDATE conversations SET state = 'confirm', answers = :a"),
            {"a": json.dumps(services.cipher.seal(answers))},
        )
    replies = await services.engine.handle(message(user, "confirm", f"{user}-2"))
    assert any("complaint" in r.text.lower() for r in replies), [r.text for r in replies]
    async with services.database.sessions() as session:
        return (await session.scalars(select(Complaint))).one()


async def test_an_old_sealed_draft_files_with_typed_fields(services: Services) -> None:
    filed = await file_stored(services, "olga", OLD_DRAFT)
    assert (filed.type, filed.category, filed.subcategory) == (
        "complaint", "appliances", "large_appliance"
    )  # fmt: skip
    assert filed.incident_date == date(2026, 11, 18)
    assert filed.amount == Decimal("3999.00")
    assert filed.demands == ["refund"] and filed.consent_share is True
    assert filed.merchant_address is None and filed.order_number == "SN-1"
    assert services.cipher.decrypt(filed.contact_phone_enc) == "+8613812345678"


@pytest.mark.parametrize(
    ("key", "odd", "column", "kept"),
    [("amount", "lots", "amount", None), ("incident_date", "yesterday-ish", "incident_date",
                                          None),
     ("demands", "refund", "demands", []), ("consent_share", "yes", "consent_share", False)],
)
async def test_an_odd_stored_value_is_left_out_not_a_failed_filing(
    services: Services, key: str, odd: str, column: str, kept: Any
) -> None:
    filed = await file_stored(services, f"odd-{key}", {**OLD_DRAFT, key: odd})
    assert getattr(filed, column) == kept
    assert filed.merchant_name == "Suning"
