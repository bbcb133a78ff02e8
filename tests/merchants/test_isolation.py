"""A merchant reaches only its own forwarded cases, never staff endpoints or notes."""

from __future__ import annotations

import httpx

from bots.services import Services
from tests.merchants.helpers import accept_link_forward, make_merchant, merchant_sign_in
from tests.staff.helpers import WebConsumer, file_by_chat, sign_in


async def test_a_merchant_sees_exactly_its_forwarded_case_and_no_staff_notes(
    client: httpx.AsyncClient, services: Services
) -> None:
    alice, bob = WebConsumer.beside(client), WebConsumer.beside(client)
    mine = await file_by_chat(alice)
    theirs = await file_by_chat(bob)
    unforwarded = await file_by_chat(WebConsumer.beside(client))
    staff = await sign_in(client, services, "supervisor")
    a = await make_merchant(services, "苏宁易购")
    b = await make_merchant(services, "国美电器")
    shop_a = await merchant_sign_in(client, services, a, "shop-a")
    shop_b = await merchant_sign_in(client, services, b, "shop-b")
    await accept_link_forward(client, staff, mine, a)
    await accept_link_forward(client, staff, theirs, b)
    # Linked but not forwarded: invisible to the merchant.
    await client.post(f"/api/v1/complaints/{unforwarded}/merchant", headers=staff,
                      json={"merchant_id": a})  # fmt: skip
    note = await client.post(f"/api/v1/complaints/{mine}/notes", headers=staff,
                             json={"text": "INTERNAL: refuses a lot"})  # fmt: skip
    assert note.status_code == 201
    await client.post(f"/api/v1/complaints/{mine}/messages", headers=staff,
                      json={"text": "STAFF-TO-CONSUMER message"})  # fmt: skip

    listed = (await client.get("/api/v1/merchant/complaints", headers=shop_a)).json()
    assert [i["number"] for i in listed["items"]] == [mine]
    detail = await client.get(f"/api/v1/merchant/complaints/{mine}", headers=shop_a)
    assert detail.status_code == 200
    assert "INTERNAL" not in detail.text and "STAFF-TO-CONSUMER" not in detail.text
    assert "staff:" not in detail.text  # the desk acts as "desk"

    for number in (theirs, unforwarded, "20990101000001"):
        for path in ("", "/messages", "/offers"):
            url = f"/api/v1/merchant/complaints/{number}{path}"
            if path:
                body = {"text": "hi"} if path == "/messages" else {"kind": "refund", "text": "x"}
                got = await client.post(url, headers=shop_a, json=body)
            else:
                got = await client.get(url, headers=shop_a)
            assert got.status_code == 404, (url, got.text)
    # Merchant tokens never reach the staff API; staff tokens never reach the merchant API.
    for url in ("/api/v1/complaints", f"/api/v1/complaints/{mine}", "/api/v1/merchants",
                "/api/v1/alerts", f"/api/v1/complaints/{mine}/contact"):  # fmt: skip
        assert (await client.get(url, headers=shop_a)).status_code == 403, url
    took = await client.post(f"/api/v1/complaints/{mine}/status", headers=shop_a,
                             json={"status": "resolved", "note": "done"})  # fmt: skip
    assert took.status_code == 403
    assert (await client.get("/api/v1/merchant/complaints", headers=staff)).status_code == 403
    assert (await client.get("/api/v1/merchant/complaints")).status_code == 401
    listed_b = (await client.get("/api/v1/merchant/complaints", headers=shop_b)).json()
    assert [i["number"] for i in listed_b["items"]] == [theirs]


async def test_a_merchant_login_cannot_be_assigned_or_open_the_console(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await file_by_chat(WebConsumer.beside(client))
    boss = await sign_in(client, services, "supervisor")
    a = await make_merchant(services, "苏宁易购")
    await merchant_sign_in(client, services, a, "shop-a")
    assigned = await client.post(f"/api/v1/complaints/{number}/assign", headers=boss,
                                 json={"assignee": "shop-a"})  # fmt: skip
    assert assigned.status_code == 422
    page = await client.get("/console/login")
    csrf = page.cookies.get("weiquan_login_csrf") or client.cookies.get("weiquan_login_csrf")
    signed = await client.post(
        "/console/login",
        data={"username": "shop-a", "password": "correct horse battery", "csrf": csrf},
    )
    assert signed.status_code == 401


async def test_bad_offers_are_refused_and_change_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    alice = WebConsumer.beside(client)
    number = await file_by_chat(alice)
    staff = await sign_in(client, services, "agent")
    a = await make_merchant(services, "苏宁易购")
    shop = await merchant_sign_in(client, services, a, "shop-a")
    await accept_link_forward(client, staff, number, a)
    url = f"/api/v1/merchant/complaints/{number}/offers"
    for body in (
        {"kind": "bribe", "text": "x"},
        {"kind": "refund", "amount": "abc", "text": "x"},
        {"kind": "refund", "amount": "-5", "text": "x"},
        {"kind": "refund", "amount": "1.234", "text": "x"},
        {"kind": "refund", "amount": "1e400", "text": "x"},
        {"kind": "refund", "text": ""},
        {"kind": "refund", "text": "   "},
    ):
        got = await client.post(url, headers=shop, json=body)
        assert got.status_code == 422, (body, got.text)
    detail = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert detail["offers"] == []


async def test_control_characters_never_reach_the_database(
    client: httpx.AsyncClient, services: Services
) -> None:
    boss = await sign_in(client, services, "supervisor")
    made = await client.post(
        "/api/v1/merchants", headers=boss, json={"name": "Acme\x00 Ltd", "aliases": ["A\x00"]}
    )
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "Acme Ltd" and made.json()["aliases"] == ["A"]
    empty = await client.post("/api/v1/merchants", headers=boss, json={"name": "\x00\x01"})
    assert empty.status_code == 422
    number = await file_by_chat(WebConsumer.beside(client))
    shop = await merchant_sign_in(client, services, made.json()["id"], "acme")
    await accept_link_forward(client, boss, number, made.json()["id"], note="call\x00 them")
    sent = await client.post(
        f"/api/v1/merchant/complaints/{number}/messages", headers=shop, json={"text": "hi\x00!"}
    )
    assert sent.status_code == 202, sent.text
    only_nul = await client.post(
        f"/api/v1/merchant/complaints/{number}/messages", headers=shop, json={"text": "\x00"}
    )
    assert only_nul.status_code == 422
    seen = (await client.get(f"/api/v1/merchant/complaints/{number}", headers=shop)).json()
    assert seen["forward_note"] == "call them"
    assert [e["note"] for e in seen["timeline"] if e["kind"] == "merchant_message"] == ["hi!"]
    huge = await client.get(f"/api/v1/merchants/{10**30}", headers=boss)
    assert huge.status_code == 422
