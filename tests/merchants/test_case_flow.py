"""A forwarded case end to end over HTTP: consent, merchant reply, offer, accept, decline."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from bots.services import Services
from storage import dossier
from storage.models import AuditEntry, Complaint, MerchantConsent, Settlement
from tests.merchants.helpers import accept_link_forward, make_merchant, merchant_sign_in
from tests.staff.helpers import WebConsumer, count, file_by_chat, sign_in
from tests.staff.test_console_admin import console_login


async def test_offer_accepted_in_chat_resolves_the_case_with_a_settlement(
    client: httpx.AsyncClient, services: Services
) -> None:
    alice = WebConsumer.beside(client)
    number = await file_by_chat(alice)
    staff = await sign_in(client, services, "agent")
    merchant_id = await make_merchant(services, "苏宁易购", aliases=["Suning"], odr=True)
    shop = await merchant_sign_in(client, services, merchant_id, "suning-desk")

    # The desk sees the registry's suggestion for the name the consumer typed.
    suggested = (await client.get(f"/api/v1/complaints/{number}/merchant", headers=staff)).json()
    assert [m["id"] for m in suggested["suggestions"]] == [merchant_id]

    forwarded = await accept_link_forward(client, staff, number, merchant_id)
    assert forwarded["consent_notice"] is not None
    # Before the consumer answers, the merchant sees the case without contact details.
    seen = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert seen["contact"] is None and "13812345678" not in str(seen)
    assert seen["description"].startswith("The fridge")

    [question] = await alice.notices()
    assert "苏宁易购" in question["text"] and number in question["text"]
    assert [c["id"] for c in question["choices"]] == ["yes", "no"]
    await alice.say("yes")
    seen = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert seen["contact"] == {"name": "张三", "phone": "+8613812345678"}
    assert await count(services, MerchantConsent) == 2  # asked, then given

    listed = (await client.get("/api/v1/merchant/complaints", headers=shop)).json()
    assert [i["number"] for i in listed["items"]] == [number]

    reply = await client.post(
        f"/api/v1/merchant/complaints/{number}/messages", headers=shop,
        json={"text": "We will replace the fridge."},
    )  # fmt: skip
    assert reply.status_code == 202, reply.text
    [relayed] = await alice.notices()
    assert "苏宁易购" in relayed["text"] and "We will replace the fridge." in relayed["text"]

    made = await client.post(
        f"/api/v1/merchant/complaints/{number}/offers", headers=shop,
        json={"kind": "refund", "amount": "3999.00", "text": "Full refund on return."},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    [offer] = await alice.notices()
    assert "3999.00" in offer["text"] and "Full refund on return." in offer["text"]
    assert [c["id"].split(":")[0] for c in offer["choices"]] == ["accept", "decline"]

    answered = await alice.say("accept")
    texts = " ".join(r["text"] for r in answered)
    assert "resolved" in texts and answered[-1]["step"] == "rating"

    async with services.database.sessions() as session:
        complaint = (await session.scalars(select(Complaint))).one()
        settlement = (await session.scalars(select(Settlement))).one()
    assert complaint.status == "resolved"
    assert (settlement.kind, str(settlement.amount)) == ("refund", "3999.00")
    assert settlement.fulfil_by > complaint.resolved_at.date()  # type: ignore[union-attr]

    detail = (await client.get(f"/api/v1/complaints/{number}", headers=staff)).json()
    kinds = [e["kind"] for e in detail["timeline"]]
    for kind in (
        "merchant_linked",
        "forwarded",
        "merchant_message",
        "offer",
        "offer_accepted",
        "settlement",
    ):
        assert kind in kinds, kinds
    # The day it is to be carried out by is a date beside the entry, in the reader's words.
    [agreed] = [e for e in detail["timeline"] if e["kind"] == "settlement"]
    assert agreed["fulfil_by"] == settlement.fulfil_by.isoformat()
    assert agreed["note"] == "¥3999.00: Full refund on return."
    await console_login(client, "agent")
    page = (await client.get(f"/console/complaints/{number}")).text
    assert f"履行期限 {settlement.fulfil_by.isoformat()}" in page and "(by " not in page
    async with services.database.sessions() as session:
        found = await dossier.load(session=session, number=number)
    assert found is not None
    manifest = dossier.build(found, audience=dossier.Audience(staff=True), language="zh_CN",
                             cipher=services.cipher, generated_at=complaint.filed_at)
    [entry] = [e for e in manifest["timeline"] if e["kind"] == "settlement"]
    assert entry["fulfil_by"] == settlement.fulfil_by.isoformat()
    final = [e for e in detail["timeline"] if e["kind"] == "status"][-1]
    assert (final["to_status"], final["actor"]) == ("resolved", "consumer")
    assert "Full refund on return." in final["note"]
    merchant_side = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert merchant_side["status"] == "resolved"
    assert merchant_side["settlement"]["amount"] == "3999.00"
    assert merchant_side["offers"][0]["status"] == "accepted"
    actions = {(a.actor, a.action) for a in (await _audit(services))}
    assert ("merchant:suning-desk", "merchant.offer") in actions
    assert ("merchant:suning-desk", "merchant.message") in actions
    assert ("staff:agent", "complaint.forward") in actions


async def _audit(services: Services) -> list[AuditEntry]:
    async with services.database.sessions() as session:
        return list(await session.scalars(select(AuditEntry)))


async def test_a_declined_offer_goes_back_to_staff_mediation(
    client: httpx.AsyncClient, services: Services
) -> None:
    bob = WebConsumer.beside(client)
    number = await file_by_chat(bob)
    staff = await sign_in(client, services, "agent")
    merchant_id = await make_merchant(services, "国美电器")
    shop = await merchant_sign_in(client, services, merchant_id, "gome")
    await accept_link_forward(client, staff, number, merchant_id)
    await bob.notices()
    await bob.say("no")  # no contact details for the merchant
    seen = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert seen["contact"] is None and seen["contact_shared"] is False

    await client.post(
        f"/api/v1/merchant/complaints/{number}/offers", headers=shop,
        json={"kind": "compensation", "amount": "100", "text": "A voucher."},
    )  # fmt: skip
    await bob.notices()
    replies = await bob.say("decline too little")
    assert any("continue mediating" in r["text"] for r in replies)

    detail = (await client.get(f"/api/v1/complaints/{number}", headers=staff)).json()
    assert detail["status"] == "mediating"
    declined = [e for e in detail["timeline"] if e["kind"] == "offer_declined"]
    assert declined and declined[0]["note"] == "too little"
    merchant_side = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert merchant_side["offers"][0]["status"] == "declined"
    assert merchant_side["offers"][0]["decline_reason"] == "too little"
    assert "offer_declined" in [e["kind"] for e in merchant_side["timeline"]]
    # The answered offer cannot be answered again.
    again = await bob.say("accept")
    assert detail["status"] == "mediating"
    assert not any("resolved" in r["text"] for r in again)


async def test_an_expired_offer_cannot_be_accepted(
    client: httpx.AsyncClient, services: Services, clock: object
) -> None:
    carol = WebConsumer.beside(client)
    number = await file_by_chat(carol, contact_mode=None)
    staff = await sign_in(client, services, "agent")
    merchant_id = await make_merchant(services, "京东")
    shop = await merchant_sign_in(client, services, merchant_id, "jd")
    await accept_link_forward(client, staff, number, merchant_id)
    await carol.notices()
    await carol.say("yes")
    await client.post(
        f"/api/v1/merchant/complaints/{number}/offers", headers=shop,
        json={"kind": "repair", "text": "Free repair."},
    )  # fmt: skip
    await carol.notices()
    clock.advance(days=30)  # type: ignore[attr-defined]
    replies = await carol.say("1")
    assert any("can no longer be answered" in r["text"] for r in replies)
    detail = (await client.get(f"/api/v1/complaints/{number}", headers=staff)).json()
    assert detail["status"] == "accepted"


async def test_the_button_of_a_replaced_offer_does_not_accept_the_new_one(
    client: httpx.AsyncClient, services: Services
) -> None:
    dave = WebConsumer.beside(client)
    number = await file_by_chat(dave)
    staff = await sign_in(client, services, "agent")
    merchant_id = await make_merchant(services, "苏宁易购")
    shop = await merchant_sign_in(client, services, merchant_id, "shop")
    await accept_link_forward(client, staff, number, merchant_id)
    await dave.notices()
    await dave.say("yes")
    url = f"/api/v1/merchant/complaints/{number}/offers"
    await client.post(url, headers=shop, json={"kind": "repair", "text": "A repair."})
    [first] = await dave.notices()
    await client.post(url, headers=shop, json={"kind": "apology", "text": "Only an apology."})
    [second] = await dave.notices()
    old_accept = first["choices"][0]["id"]
    assert old_accept != second["choices"][0]["id"]
    replies = await dave.say("", choice=old_accept, step="offer")
    assert any("can no longer be answered" in r["text"] for r in replies)
    detail = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert [o["status"] for o in detail["offers"]] == ["withdrawn", "pending"]
    # The current offer's own button answers it.
    await dave.say("", choice=second["choices"][1]["id"], step="offer")
    detail = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert [o["status"] for o in detail["offers"]] == ["withdrawn", "declined"]


async def test_a_consumer_withdraws_consent_in_chat_and_the_merchant_loses_the_contact(
    client: httpx.AsyncClient, services: Services
) -> None:
    erin = WebConsumer.beside(client, lang="zh-CN")
    number = await file_by_chat(erin)
    staff = await sign_in(client, services, "agent")
    merchant_id = await make_merchant(services, "苏宁易购")
    shop = await merchant_sign_in(client, services, merchant_id, "shop")
    await accept_link_forward(client, staff, number, merchant_id)
    [question] = await erin.notices()
    assert "苏宁易购" in question["text"] and "撤回同意" in question["text"]
    await erin.say("1")
    seen = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert seen["contact_shared"] is True
    replies = await erin.say("撤回同意")
    assert "已撤回" in replies[0]["text"]
    seen = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert seen["contact"] is None
    async with services.database.sessions() as session:
        decisions = list(await session.scalars(select(MerchantConsent.decision)))
    assert decisions == ["asked", "given", "withdrawn"]
    assert "没有向商家提供联系方式" in (await erin.say("撤回同意"))[0]["text"]
