"""Spike alerts and merchants overdue with their answer."""

from __future__ import annotations

import httpx

from bots.services import Services
from tests.conftest import Clock
from tests.merchants.helpers import accept_link_forward, make_merchant, merchant_sign_in
from tests.staff.helpers import WebConsumer, file_by_chat, sign_in


async def test_the_sixth_complaint_in_a_week_against_a_new_merchant_raises_an_alert(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    boss = await sign_in(client, services, "supervisor")
    merchant_id = await make_merchant(services, "苏宁易购", aliases=["Suning"])
    await make_merchant(services, "国美电器")
    numbers = []
    for n in range(6):
        # Spelled as consumers do: with shop suffixes, spaces and full-width letters.
        typed = ["苏宁易购 旗舰店", "苏宁易购有限公司", "ＳＵＮＩＮＧ", "Suning store"][n % 4]
        numbers.append(await file_by_chat(WebConsumer.beside(client), merchant_name=typed))
        clock.advance(hours=20)
        spikes = (await client.get("/api/v1/alerts", headers=boss)).json()["spikes"]
        # WEIQUAN_SPIKE_MIN is 5: the fifth complaint raises it, the sixth keeps it up.
        if n < 4:
            assert spikes == [], n
        else:
            assert [s["last_7_days"] for s in spikes] == [n + 1], n
    [spike] = spikes
    assert spike["merchant"]["id"] == merchant_id
    assert spike["last_7_days"] == 6 and spike["weekly_average_before"] == 0
    assert sorted(spike["complaints"]) == sorted(numbers)
    # A week later the burst is history: the same pace no longer counts as a spike.
    clock.advance(days=8)
    for _ in range(2):
        await file_by_chat(WebConsumer.beside(client), merchant_name="苏宁易购")
    assert (await client.get("/api/v1/alerts", headers=boss)).json()["spikes"] == []
    agent = await sign_in(client, services, "agent")
    assert (await client.get("/api/v1/alerts", headers=agent)).status_code == 403
    shop = await merchant_sign_in(client, services, merchant_id, "shop")
    assert (await client.get("/api/v1/alerts", headers=shop)).status_code == 403


async def test_an_unanswering_merchant_is_overdue_and_staff_take_the_case_back(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    alice = WebConsumer.beside(client)
    number = await file_by_chat(alice)
    boss = await sign_in(client, services, "supervisor")
    merchant_id = await make_merchant(services, "苏宁易购")
    shop = await merchant_sign_in(client, services, merchant_id, "shop")
    await accept_link_forward(client, boss, number, merchant_id)
    listed = (await client.get("/api/v1/merchant/complaints", headers=shop)).json()["items"]
    assert listed[0]["answer_due"] is not None and listed[0]["answer_overdue"] is False
    assert (await client.get("/api/v1/alerts", headers=boss)).json()["merchant_overdue"] == []
    clock.advance(days=20)  # more than 10 working days
    [overdue] = (await client.get("/api/v1/alerts", headers=boss)).json()["merchant_overdue"]
    assert overdue["number"] == number and overdue["merchant"]["id"] == merchant_id
    took = await client.post(f"/api/v1/complaints/{number}/take-back", headers=boss,
                             json={"note": "No answer from the merchant."})  # fmt: skip
    assert took.status_code == 200, took.text
    assert (await client.get("/api/v1/alerts", headers=boss)).json()["merchant_overdue"] == []
    detail = (await client.get(f"/api/v1/complaints/{number}", headers=boss)).json()
    assert detail["status"] == "mediating"
    late = await client.post(f"/api/v1/merchant/complaints/{number}/messages", headers=shop,
                             json={"text": "Sorry for the delay"})  # fmt: skip
    assert late.status_code == 409


async def test_an_odr_merchant_gets_the_case_on_acceptance_when_configured(
    client: httpx.AsyncClient, services: Services
) -> None:
    services.settings.odr_forward_on_accept = True
    number = await file_by_chat(WebConsumer.beside(client))
    agent = await sign_in(client, services, "agent")
    odr = await make_merchant(services, "苏宁易购", odr=True)
    shop = await merchant_sign_in(client, services, odr, "shop")
    await client.post(f"/api/v1/complaints/{number}/merchant", headers=agent,
                      json={"merchant_id": odr})  # fmt: skip
    assert (await client.get("/api/v1/merchant/complaints", headers=shop)).json()["items"] == []
    moved = await client.post(f"/api/v1/complaints/{number}/status", headers=agent,
                              json={"status": "accepted", "note": "ok"})  # fmt: skip
    assert moved.status_code == 200, moved.text
    items = (await client.get("/api/v1/merchant/complaints", headers=shop)).json()["items"]
    assert [i["number"] for i in items] == [number]


async def test_forwarding_needs_a_linked_and_accepted_complaint(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await file_by_chat(WebConsumer.beside(client))
    agent = await sign_in(client, services, "agent")
    merchant_id = await make_merchant(services, "苏宁易购")
    unlinked = await client.post(f"/api/v1/complaints/{number}/forward", headers=agent)
    assert unlinked.status_code == 422
    await client.post(f"/api/v1/complaints/{number}/merchant", headers=agent,
                      json={"merchant_id": merchant_id})  # fmt: skip
    early = await client.post(f"/api/v1/complaints/{number}/forward", headers=agent)
    assert early.status_code == 409
    nobody = await client.post(f"/api/v1/complaints/{number}/merchant", headers=agent,
                               json={"merchant_id": 999})  # fmt: skip
    assert nobody.status_code == 422
    bad = await client.post(f"/api/v1/complaints/{number}/merchant", headers=agent,
                            json={"merchant_id": "x" * 5000})  # fmt: skip
    assert bad.status_code == 422


async def test_a_merchant_with_history_needs_three_times_its_weekly_average(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    boss = await sign_in(client, services, "supervisor")
    await make_merchant(services, "国美电器")
    for _ in range(8):  # two a week over the four weeks before: an average of 2
        await file_by_chat(WebConsumer.beside(client), merchant_name="国美电器")
        clock.advance(days=3.5)
    clock.advance(days=6.5)  # the last of them 10 days ago, the first 34.5
    for n in range(6):
        await file_by_chat(WebConsumer.beside(client), merchant_name="国美 电器 专卖店")
        clock.advance(hours=1)
        spikes = (await client.get("/api/v1/alerts", headers=boss)).json()["spikes"]
        assert len(spikes) == (1 if n == 5 else 0), n  # 6 = 3 × 2
    assert spikes[0]["weekly_average_before"] == 2


async def test_a_case_taken_back_can_go_to_another_merchant_and_only_after_a_forward(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await file_by_chat(WebConsumer.beside(client))
    boss = await sign_in(client, services, "supervisor")
    first = await make_merchant(services, "苏宁易购")
    second = await make_merchant(services, "国美电器")
    shop_1 = await merchant_sign_in(client, services, first, "shop-1")
    shop_2 = await merchant_sign_in(client, services, second, "shop-2")
    await accept_link_forward(client, boss, number, first)
    url = f"/api/v1/complaints/{number}/merchant"
    busy = await client.post(url, headers=boss, json={"merchant_id": second})
    assert busy.status_code == 409
    await client.post(f"/api/v1/complaints/{number}/take-back", headers=boss)
    moved = await client.post(url, headers=boss, json={"merchant_id": second})
    assert moved.status_code == 200, moved.text
    mine = f"/api/v1/merchant/complaints/{number}"
    assert (await client.get(mine, headers=shop_1)).status_code == 404
    assert (await client.get(mine, headers=shop_2)).status_code == 404  # not forwarded yet
    forwarded = await client.post(f"/api/v1/complaints/{number}/forward", headers=boss)
    assert forwarded.status_code == 202, forwarded.text
    assert (await client.get(mine, headers=shop_2)).status_code == 200
