"""An offer's timeline entry keeps the offer's kind as a code beside its note, and every
timeline shows it as a label in the reader's language; entries written before still read."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy import select

from bots.services import Services
from storage.models import Complaint, ComplaintEvent
from tests.merchants.helpers import accept_link_forward, make_merchant, merchant_sign_in
from tests.merchants.test_refusal_texts import _console, _desk
from tests.staff.helpers import WebConsumer, file_by_chat, make_staff, sign_in


def _timeline(page: httpx.Response) -> str:
    found = re.search(r'<ol class="timeline".*?</ol>', page.text, re.S)
    assert found, page.text[:300]
    return html.unescape(found.group(0))


async def test_the_offer_kind_is_stored_as_a_code_and_shown_as_a_label(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await file_by_chat(WebConsumer.beside(client))
    staff = await sign_in(client, services, "agent")
    shop_id = await make_merchant(services, "苏宁易购")
    shop = await merchant_sign_in(client, services, shop_id, "shop")
    await accept_link_forward(client, staff, number, shop_id)
    made = await client.post(
        f"/api/v1/merchant/complaints/{number}/offers", headers=shop,
        json={"kind": "refund", "amount": "3999.00", "text": "Full refund on return."},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    async with services.database.transaction() as session:
        offer_entries = select(ComplaintEvent).where(ComplaintEvent.kind == "offer")
        [entry] = await session.scalars(offer_entries)
        assert (entry.reason, entry.note) == ("refund", "¥3999.00: Full refund on return.")
        # An entry written before the kind was kept as a code: its note says it all.
        complaint = (await session.scalars(select(Complaint))).one()
        session.add(ComplaintEvent(
            complaint_id=complaint.id, kind="offer", actor="merchant:shop", note="repair: old",
            at=entry.at, public=True,
        ))  # fmt: skip

    detail = (await client.get(f"/api/v1/complaints/{number}", headers=staff)).json()
    offers = [e for e in detail["timeline"] if e["kind"] == "offer"]
    assert sorted((e["offer_kind"] or "", e["reason"] or "") for e in offers) == [
        ("", ""), ("refund", ""),
    ]  # fmt: skip
    mine = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert "refund" in [e["offer_kind"] for e in mine["timeline"]]

    await make_staff(services, "ag", "agent")
    await _console(client, "ag", "zh-CN")
    console = _timeline(await client.get(f"/console/complaints/{number}"))
    assert "退款 — ¥3999.00: Full refund on return." in console and "repair: old" in console
    assert ": refund" not in console and "refund ¥" not in console
    await _desk(client, "shop", "en")
    desk = _timeline(await client.get(f"/merchant/complaints/{number}"))
    assert "Refund — ¥3999.00: Full refund on return." in desk and "repair: old" in desk
