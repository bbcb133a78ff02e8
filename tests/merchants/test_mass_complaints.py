"""Mass complaints handled together: a spike forwarded in one step, one notice per
consumer, and forwarded cases the merchant left unanswered in the complaint list."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import httpx
from sqlalchemy import select

from bots.services import Services
from bots.staff.views import notice_item
from storage.models import AuditEntry, MerchantCase, OutboxNotice
from tests.conftest import Clock
from tests.merchants.helpers import accept_link_forward, make_merchant, merchant_sign_in
from tests.staff.helpers import WebConsumer, count, file_by_chat, sign_in


async def _accept(client: httpx.AsyncClient, staff: dict[str, str], number: str) -> None:
    moved = await client.post(
        f"/api/v1/complaints/{number}/status", headers=staff,
        json={"status": "accepted", "note": "Accepted.", "notify": False},
    )  # fmt: skip
    assert moved.status_code == 200, moved.text


async def _audit(services: Services, action: str) -> list[AuditEntry]:
    async with services.database.sessions() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return list(rows)


async def test_the_spike_forward_sends_exactly_the_eligible_complaints_and_reports_the_rest(
    client: httpx.AsyncClient, services: Services
) -> None:
    boss = await sign_in(client, services, "supervisor")
    suning = await make_merchant(services, "苏宁易购")
    gome = await make_merchant(services, "国美电器")
    shop = await merchant_sign_in(client, services, suning, "shop")
    alice = WebConsumer.beside(client)
    unlinked = await file_by_chat(alice, merchant_name="苏宁易购 旗舰店")
    linked = await file_by_chat(WebConsumer.beside(client), merchant_name="苏宁")
    waiting = await file_by_chat(alice, merchant_name="苏宁易购")
    earlier = await file_by_chat(WebConsumer.beside(client), merchant_name="苏宁易购")
    back = await file_by_chat(WebConsumer.beside(client), merchant_name="苏宁易购")
    elsewhere = await file_by_chat(WebConsumer.beside(client), merchant_name="国美电器")
    await _accept(client, boss, unlinked)
    await _accept(client, boss, linked)
    await client.post(f"/api/v1/complaints/{linked}/merchant", headers=boss,
                      json={"merchant_id": suning})  # fmt: skip
    await accept_link_forward(client, boss, earlier, suning)
    await accept_link_forward(client, boss, back, suning)
    await client.post(f"/api/v1/complaints/{back}/take-back", headers=boss)
    await _accept(client, boss, elsewhere)
    consents_before = await count(services, OutboxNotice, OutboxNotice.kind == "consent")

    url = f"/api/v1/alerts/spikes/{suning}/forward"
    done = await client.post(url, headers=boss, json={"note": "Five complaints this week."})
    assert done.status_code == 200, done.text
    body = done.json()
    results = {c["number"]: c for c in body["complaints"]}
    assert set(results) == {unlinked, linked, waiting, earlier, back}
    assert {n for n, c in results.items() if c["result"] == "forwarded"} == {unlinked, linked}
    assert results[waiting]["reason"] == "not_accepted"
    assert results[waiting]["status"] == "submitted"
    assert results[earlier]["reason"] == "already_forwarded"
    assert results[back]["reason"] == "taken_back"
    assert body["forwarded"] == 2 and body["skipped"] == 3
    # The single forward's consent question went to each consumer forwarded now.
    assert results[unlinked]["consent_notice"] and results[linked]["consent_notice"]
    consents = await count(services, OutboxNotice, OutboxNotice.kind == "consent")
    assert consents == consents_before + 2
    items = (await client.get("/api/v1/merchant/complaints", headers=shop)).json()["items"]
    assert {i["number"] for i in items} == {unlinked, linked, earlier, back}
    assert [f["number"] for f in (await client.get(
        f"/api/v1/merchants/{gome}", headers=boss)).json()["forwarded"]] == []  # fmt: skip
    async with services.database.sessions() as session:
        case = await session.scalar(
            select(MerchantCase).where(MerchantCase.forward_note == "Five complaints this week.")
        )
        assert case is not None and case.merchant_id == suning
    [entry] = await _audit(services, "alert.spike_forward")
    assert entry.target == str(suning)
    assert sorted(entry.detail["forwarded"]) == sorted([unlinked, linked])
    assert entry.detail["skipped"][back] == "taken_back"
    assert len(await _audit(services, "complaint.forward")) == 4  # 2 single + 2 in the spike

    again = (await client.post(url, headers=boss)).json()
    assert again["forwarded"] == 0
    assert {c["reason"] for c in again["complaints"]} == {
        "already_forwarded", "not_accepted", "taken_back",
    }  # fmt: skip


async def _spike(client: httpx.AsyncClient, consumers: list[WebConsumer]) -> list[str]:
    return [await file_by_chat(c, merchant_name="苏宁易购") for c in consumers]


async def test_the_spike_notice_reaches_each_consumer_once(
    client: httpx.AsyncClient, services: Services
) -> None:
    boss = await sign_in(client, services, "supervisor")
    suning = await make_merchant(services, "苏宁易购")
    alice, bob, carol = (WebConsumer.beside(client) for _ in range(3))
    li = WebConsumer.beside(client, lang="zh-CN")
    numbers = await _spike(client, [alice, alice, bob, carol, li])
    outsider = WebConsumer.beside(client)
    await file_by_chat(outsider, merchant_name="国美电器")
    sent = await client.post(
        f"/api/v1/alerts/spikes/{suning}/notice", headers=boss,
        json={"text": "我们已就苏宁易购的多起投诉统一处理。",
              "text_en": "We are handling the complaints about Suning together."},
    )  # fmt: skip
    assert sent.status_code == 202, sent.text
    assert sent.json() == {"merchant_id": suning, "consumers": 4}
    async with services.database.sessions() as session:
        rows = list(
            await session.scalars(select(OutboxNotice).where(OutboxNotice.kind == "bulk"))
        )
    assert len(rows) == 4 and len({r.identity_id for r in rows}) == 4
    texts = [notice_item(r).text for r in rows]
    assert sum("handling the complaints about Suning" in t for t in texts) == 3
    assert sum("统一处理" in t for t in texts) == 1
    [entry] = await _audit(services, "alert.spike_notice")
    assert entry.detail["merchant"] == suning and entry.detail["consumers"] == 4
    assert sorted(entry.detail["filters"]["numbers"]) == sorted(numbers)
    empty = await client.post(f"/api/v1/alerts/spikes/{suning}/notice", headers=boss,
                              json={"text": "   "})  # fmt: skip
    assert empty.status_code == 422
    assert await count(services, OutboxNotice, OutboxNotice.kind == "bulk") == 4


async def test_the_bulk_notice_takes_a_list_of_complaint_numbers(
    client: httpx.AsyncClient, services: Services
) -> None:
    boss = await sign_in(client, services, "supervisor")
    alice = WebConsumer.beside(client)
    first, second = [await file_by_chat(alice) for _ in range(2)]
    await file_by_chat(WebConsumer.beside(client))
    url = "/api/v1/notices/bulk"
    pair = {"text": "hi", "filter": {"numbers": [first, second]}}
    both = await client.post(url, headers=boss, json=pair)
    assert both.json() == {"consumers": 1}
    none = await client.post(url, headers=boss, json={"text": "hi", "filter": {"numbers": []}})
    assert none.json() == {"consumers": 0}
    long = await client.post(url, headers=boss,
                             json={"text": "hi", "filter": {"numbers": ["9" * 33]}})  # fmt: skip
    assert long.status_code == 422


async def test_only_supervisors_handle_a_spike(
    client: httpx.AsyncClient, services: Services
) -> None:
    boss = await sign_in(client, services, "supervisor")
    agent = await sign_in(client, services, "agent")
    suning = await make_merchant(services, "苏宁易购")
    quiet = await make_merchant(services, "国美电器")
    shop = await merchant_sign_in(client, services, suning, "shop")
    numbers = await _spike(client, [WebConsumer.beside(client) for _ in range(5)])
    for number in numbers:
        await _accept(client, boss, number)
    notice: dict[str, Any] = {"text": "hello"}
    for who in (agent, shop):
        for action, body in (("forward", None), ("notice", notice)):
            refused = await client.post(
                f"/api/v1/alerts/spikes/{suning}/{action}", headers=who, json=body
            )
            assert refused.status_code == 403, (action, refused.text)
    assert await count(services, MerchantCase) == 0
    assert await count(services, OutboxNotice, OutboxNotice.kind == "bulk") == 0
    for action, body in (("forward", None), ("notice", notice)):
        no_spike = await client.post(f"/api/v1/alerts/spikes/{quiet}/{action}", headers=boss,
                                     json=body)  # fmt: skip
        assert no_spike.status_code == 404, no_spike.text
        for bad in ("x", "0", str(2**40)):
            wrong = await client.post(f"/api/v1/alerts/spikes/{bad}/{action}", headers=boss,
                                      json=body)  # fmt: skip
            assert wrong.status_code == 422, (bad, wrong.text)
    assert (await client.post(f"/api/v1/alerts/spikes/{suning}/forward",
                              headers=boss)).json()["forwarded"] == 5  # fmt: skip


async def _overdue(client: httpx.AsyncClient, staff: dict[str, str]) -> list[str]:
    listed = await client.get("/api/v1/complaints?overdue=merchant", headers=staff)
    assert listed.status_code == 200, listed.text
    return sorted(i["number"] for i in listed.json()["items"])


async def test_overdue_merchant_lists_unanswered_forwards_from_the_local_day_after_the_due_date(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    boss = await sign_in(client, services, "supervisor")
    agent = await sign_in(client, services, "agent")
    suning = await make_merchant(services, "苏宁易购")
    shop = await merchant_sign_in(client, services, suning, "shop")
    silent, answered, back, kept = [
        await file_by_chat(WebConsumer.beside(client)) for _ in range(4)
    ]
    for number in (silent, answered, back):
        await accept_link_forward(client, boss, number, suning)
    await _accept(client, boss, kept)  # accepted, never forwarded
    reply = await client.post(f"/api/v1/merchant/complaints/{answered}/messages",
                              headers=shop, json={"text": "We will refund."})  # fmt: skip
    assert reply.status_code == 202, reply.text
    await client.post(f"/api/v1/complaints/{back}/take-back", headers=boss)
    case = (await client.get(f"/api/v1/complaints/{silent}/merchant", headers=agent)).json()
    due = date.fromisoformat(case["case"]["answer_due"])

    clock.now = datetime.combine(due, time(15, 59), UTC)  # 23:59 in Beijing on the due day
    assert await _overdue(client, agent) == []
    assert (await client.get("/api/v1/alerts", headers=boss)).json()["merchant_overdue"] == []
    clock.now = datetime.combine(due, time(16, 1), UTC)  # 00:01 the day after
    assert await _overdue(client, agent) == [silent]
    [late] = (await client.get("/api/v1/alerts", headers=boss)).json()["merchant_overdue"]
    assert late["number"] == silent
    # Combined with the other filters like any of them.
    other = await client.get("/api/v1/complaints?overdue=merchant&status=mediating",
                             headers=agent)  # fmt: skip
    assert other.json()["items"] == []
    bogus = await client.get("/api/v1/complaints?overdue=shop", headers=agent)
    assert bogus.status_code == 422
