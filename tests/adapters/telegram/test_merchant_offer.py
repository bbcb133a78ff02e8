"""A Telegram consumer agrees to share contact and accepts an offer with the buttons."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from bots.delivery import worker
from storage.models import Complaint, Settlement
from tests.fakes.telegram_api import FakeTelegram
from tests.merchants.helpers import make_merchant, merchant_sign_in
from tests.staff.helpers import sign_in

from . import updates
from .test_webhook import file_complaint, post

UID = 5151


def _buttons(fake: FakeTelegram) -> list[str]:
    markup = fake.calls_to("sendMessage")[-1].params["reply_markup"]
    return [button["callback_data"] for row in markup["inline_keyboard"] for button in row]


async def test_the_telegram_consumer_accepts_the_offer_in_telegram(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    number = await file_complaint(client, fake, UID)
    merchant_id = await make_merchant(services, "Suning Electronics")
    shop = await merchant_sign_in(client, services, merchant_id, "suning")
    staff = await sign_in(client, services, "agent")
    suggested = (await client.get(f"/api/v1/complaints/{number}/merchant", headers=staff)).json()
    assert [m["id"] for m in suggested["suggestions"]] == [merchant_id]
    await client.post(f"/api/v1/complaints/{number}/status", headers=staff,
                      json={"status": "accepted", "note": "ok", "notify": False})  # fmt: skip
    await client.post(f"/api/v1/complaints/{number}/merchant", headers=staff,
                      json={"merchant_id": merchant_id})  # fmt: skip
    await client.post(f"/api/v1/complaints/{number}/forward", headers=staff)
    assert await worker.deliver_due(services) == 1
    assert "Suning Electronics" in fake.sent_texts(UID)[-1]
    yes = next(b for b in _buttons(fake) if b.endswith("|yes"))
    assert (await post(client, updates.press(UID, yes))).status_code == 200

    made = await client.post(
        f"/api/v1/merchant/complaints/{number}/offers", headers=shop,
        json={"kind": "refund", "amount": "3999", "text": "Full refund."},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert await worker.deliver_due(services) == 1
    assert "¥3999.00" in fake.sent_texts(UID)[-1]
    accept = next(b for b in _buttons(fake) if "|accept:" in b)
    # The consumer first looks at the menu; the offer's button still answers the offer.
    await post(client, updates.text(UID, "menu"))
    assert (await post(client, updates.press(UID, accept))).status_code == 200
    assert any("resolved" in text for text in fake.sent_texts(UID)[-3:])
    async with services.database.sessions() as session:
        complaint = (await session.scalars(select(Complaint))).one()
        settlement = (await session.scalars(select(Settlement))).one()
    assert complaint.status == "resolved" and str(settlement.amount) == "3999.00"
    seen = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert seen["contact"]["phone"] == "+8613812345678"
