"""A WeChat consumer answers a merchant's offer by number, through the real webhook."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import select

from bots.cli.merchants import create_merchant, create_user
from bots.delivery import worker
from storage.models import Complaint, Settlement
from tests.adapters.wechat.flow import server, walk_to
from tests.conftest import Clock
from tests.fakes.wechat_api import FakeWeChat
from tests.staff.helpers import PASSWORD, sign_in


def _pushed(fake: FakeWeChat) -> list[str]:
    return [c.body["text"]["content"] for c in fake.calls_to("message/custom/send") if c.body]


async def test_a_cli_merchant_offers_and_the_wechat_consumer_accepts_by_number(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    services.senders["wechat"].clock = clock
    wx = server(client, fake, clock)
    user = "oMerchantCase1"
    await walk_to(wx, services, user, "confirm", "hi")
    number = re.search(r"\b(\d{14})\b", await wx.say(user, "1"))
    assert number
    number_text = number.group(1)

    # The merchant and its login, made by the functions `weiquan merchant …` runs.
    merchant_id, error = await create_merchant(services.settings, "Suning", odr=True)
    assert error is None and merchant_id is not None
    assert await create_user(services.settings, "suning-desk", merchant_id, PASSWORD) is None
    token = await client.post("/api/v1/auth/token",
                              data={"username": "suning-desk", "password": PASSWORD})  # fmt: skip
    shop = {"Authorization": f"Bearer {token.json()['access_token']}"}

    staff = await sign_in(client, services, "agent")
    await client.post(f"/api/v1/complaints/{number_text}/status", headers=staff,
                      json={"status": "accepted", "note": "ok", "notify": False})  # fmt: skip
    await client.post(f"/api/v1/complaints/{number_text}/merchant", headers=staff,
                      json={"merchant_id": merchant_id})  # fmt: skip
    forwarded = await client.post(f"/api/v1/complaints/{number_text}/forward", headers=staff)
    assert forwarded.status_code == 202, forwarded.text
    assert await worker.deliver_due(services) == 1
    [consent] = _pushed(fake)
    assert "Suning" in consent and "1. Yes" in consent
    assert "Thank you" in await wx.say(user, "1")

    items = (await client.get("/api/v1/merchant/complaints", headers=shop)).json()["items"]
    assert [i["number"] for i in items] == [number_text]
    made = await client.post(
        f"/api/v1/merchant/complaints/{number_text}/offers", headers=shop,
        json={"kind": "exchange", "text": "A new fridge delivered this week."},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert await worker.deliver_due(services) == 1
    offer = _pushed(fake)[-1]
    assert "Suning" in offer and "1. Accept" in offer and "2. Decline" in offer

    answer = await wx.say(user, "1")
    assert "resolved" in answer and "How satisfied" in answer
    async with services.database.sessions() as session:
        complaint = (await session.scalars(select(Complaint))).one()
        settlement = (await session.scalars(select(Settlement))).one()
    assert complaint.status == "resolved"
    assert settlement.kind == "exchange" and settlement.text.startswith("A new fridge")
    merchant_side = await client.get(f"/api/v1/merchant/complaints/{number_text}", headers=shop)
    assert merchant_side.json()["settlement"]["kind"] == "exchange"
    assert merchant_side.json()["contact"]["phone"] == "+8613812345678"
