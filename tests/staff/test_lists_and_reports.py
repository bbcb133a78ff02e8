"""Filters (overdue against either deadline), bulk notices, statistics, CSV, dead letters,
and the console's forms (CSRF, role pages)."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select, update

from bots.services import Services
from storage.models import AuditEntry, OutboxNotice
from tests.conftest import Clock
from tests.staff.helpers import (
    PASSWORD,
    WebConsumer,
    count,
    file_by_chat,
    make_staff,
    sign_in,
)
from tests.support.driver import Pick

LIST = "/api/v1/complaints"


async def numbers(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[str]:
    response = await client.get(LIST, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return [item["number"] for item in response.json()["items"]]


async def test_filters_overdue_search_sort_and_pages(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    first = await file_by_chat(WebConsumer.beside(client))
    clock.advance(days=1)
    second = await file_by_chat(
        WebConsumer.beside(client),
        merchant_name="Gome 国美",
        category=Pick("food"),
        subcategory=None,
    )
    third = await file_by_chat(WebConsumer.beside(client, lang="zh-CN"))
    supervisor = await sign_in(client, services, "supervisor")
    url = f"/api/v1/complaints/{second}/status"
    assert (
        await client.post(url, headers=supervisor, json={"status": "accepted"})
    ).status_code == 200
    assert await numbers(client, supervisor, overdue="any") == []
    # Past the 7 working days for acceptance, but not the 60 for resolution.
    clock.advance(days=14)
    assert set(await numbers(client, supervisor, overdue="acceptance")) == {first, third}
    assert await numbers(client, supervisor, overdue="resolution") == []
    listed = (await client.get(LIST, headers=supervisor, params={"overdue": "acceptance"})).json()
    assert all(i["deadline_flags"] == {"acceptance": "overdue"} for i in listed["items"])
    clock.advance(days=120)
    assert await numbers(client, supervisor, overdue="resolution") == [second]
    assert set(await numbers(client, supervisor, overdue="any")) == {first, second, third}
    assert await numbers(client, supervisor, q="国美") == [second]
    assert await numbers(client, supervisor, q=second[-10:]) == [second]
    assert await numbers(client, supervisor, q="100%") == []
    assert await numbers(client, supervisor, category="food") == [second]
    assert await numbers(client, supervisor, status="accepted") == [second]
    assert await numbers(client, supervisor, platform="web", sort="filed_at") == [
        first, second, third,
    ]  # fmt: skip
    day = second[:8]
    iso = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    assert set(await numbers(client, supervisor, filed_from=iso)) == {second, third}
    page = (await client.get(LIST, headers=supervisor, params={"per_page": 2, "page": 2})).json()
    assert page["total"] == 3 and len(page["items"]) == 1
    await client.post(
        f"/api/v1/complaints/{first}/assign", headers=supervisor, json={"assignee": "supervisor"}
    )
    assert await numbers(client, supervisor, assignee="supervisor") == [first]
    assert set(await numbers(client, supervisor, assignee="none")) == {second, third}
    for bad in ({"overdue": "soon"}, {"status": "lost"}, {"sort": "rating"}, {"page": "0"},
                {"filed_from": "yesterday"}):  # fmt: skip
        assert (await client.get(LIST, headers=supervisor, params=bad)).status_code == 422


async def test_bulk_notice_reaches_each_consumer_once(
    client: httpx.AsyncClient, services: Services
) -> None:
    twice = WebConsumer.beside(client)
    await file_by_chat(twice)
    await file_by_chat(twice)
    once = WebConsumer.beside(client, lang="zh-CN")
    await file_by_chat(once)
    food = WebConsumer.beside(client)
    await file_by_chat(food, category=Pick("food"), subcategory=None)
    supervisor = await sign_in(client, services, "supervisor")
    sent = await client.post(
        "/api/v1/notices/bulk",
        headers=supervisor,
        json={"text": "春节期间暂停受理", "text_en": "Closed for the holiday.",
              "filter": {"category": "appliances"}},
    )  # fmt: skip
    assert sent.status_code == 202 and sent.json() == {"consumers": 2}
    assert await count(services, OutboxNotice, OutboxNotice.kind == "bulk") == 2
    assert [r["text"] for r in await twice.notices()] == [
        "Notice from the complaint service: Closed for the holiday."
    ]
    assert (await once.notices())[0]["text"] == "投诉服务通知：春节期间暂停受理"
    assert await food.notices() == []
    empty = await client.post("/api/v1/notices/bulk", headers=supervisor, json={"text": " "})
    assert empty.status_code == 422


async def test_statistics_and_the_masked_csv(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    on_time = await file_by_chat(WebConsumer.beside(client))
    late = await file_by_chat(WebConsumer.beside(client), merchant_name="=HYPERLINK(1)")
    supervisor = await sign_in(client, services, "supervisor")
    clock.advance(hours=5)
    await client.post(
        f"/api/v1/complaints/{on_time}/status", headers=supervisor, json={"status": "accepted"}
    )
    clock.advance(days=20)
    await client.post(
        f"/api/v1/complaints/{late}/status", headers=supervisor, json={"status": "accepted"}
    )
    figures = (await client.get("/api/v1/statistics", headers=supervisor)).json()
    assert figures["total"] == 2
    assert figures["by_status"] == {"accepted": 2}
    assert figures["by_platform"] == {"web": 2}
    assert figures["acceptance"] == {"on_time": 1, "late": 1, "on_time_rate": 0.5}
    assert figures["median_hours_to_acceptance"] == (5 + 20 * 24 + 5) / 2
    assert sum(figures["by_day"].values()) == 2
    csv = await client.get("/api/v1/complaints.csv", headers=supervisor)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "13812345678" not in csv.text and "张三" not in csv.text
    assert "138****5678" in csv.text and "张*" in csv.text
    assert "'=HYPERLINK(1)" in csv.text
    assert await count(services, AuditEntry, AuditEntry.action == "complaint.export") == 1


async def test_dead_letters_are_listed_and_retried(
    client: httpx.AsyncClient, services: Services
) -> None:
    d1 = WebConsumer.beside(client)
    number = await file_by_chat(d1)
    supervisor = await sign_in(client, services, "supervisor")
    await client.post(f"/api/v1/complaints/{number}/messages", headers=supervisor,
                      json={"text": "Hello"})  # fmt: skip
    async with services.database.transaction() as session:
        await session.execute(
            update(OutboxNotice).values(status="dead", attempts=8, last_error="channel down")
        )
    dead = (await client.get("/api/v1/outbox/dead", headers=supervisor)).json()["items"]
    assert [(d["status"], d["last_error"]) for d in dead] == [("dead", "channel down")]
    retried = await client.post(f"/api/v1/outbox/{dead[0]['id']}/retry", headers=supervisor)
    assert retried.status_code == 202
    async with services.database.sessions() as session:
        notice = await session.scalar(select(OutboxNotice))
    assert notice is not None and notice.status == "pending" and notice.attempts == 0
    again = await client.post(f"/api/v1/outbox/{dead[0]['id']}/retry", headers=supervisor)
    assert again.status_code == 404
    # The web consumer now gets it on the page.
    replies = await d1.notices()
    assert "Hello" in replies[0]["text"]


async def test_console_forms_need_the_session_and_its_csrf_token(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await file_by_chat(WebConsumer.beside(client))
    await make_staff(services, "ag", "agent")
    assert (await client.get("/console/complaints")).headers["location"] == (
        "/console/login?next=%2Fconsole%2Fcomplaints"
    )
    login = await client.get("/console/login?lang=zh-CN")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token and "登录" in login.text
    signed = await client.post(
        "/console/login", data={"username": "ag", "password": PASSWORD, "csrf": token.group(1)}
    )
    assert signed.status_code == 303
    page = await client.get(f"/console/complaints/{number}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf and "张*" in page.text and "13812345678" not in page.text
    forged = await client.post(f"/console/complaints/{number}/notes", data={"text": "x"})
    assert forged.status_code == 403
    noted = await client.post(
        f"/console/complaints/{number}/notes", data={"text": "checked", "csrf": csrf.group(1)}
    )
    assert noted.status_code == 303
    illegal = await client.post(
        f"/console/complaints/{number}/status", data={"status": "closed", "csrf": csrf.group(1)}
    )
    # In the page's language, with the moves that are allowed.
    assert illegal.status_code == 409 and "当前状态不能变更为所选状态" in illegal.text
    assert (await client.get("/console/statistics")).status_code == 403
    assert (await client.get("/console/complaints?overdue=soon")).status_code == 422


async def test_console_supervisor_pages_render(
    client: httpx.AsyncClient, services: Services
) -> None:
    await file_by_chat(WebConsumer.beside(client))
    await make_staff(services, "sup", "supervisor")
    login = await client.get("/console/login?lang=en")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token
    await client.post(
        "/console/login", data={"username": "sup", "password": PASSWORD, "csrf": token.group(1)}
    )
    stats = await client.get("/console/statistics")
    assert stats.status_code == 200 and stats.text.count("<svg") == 5
    for url in ("/console/overview", "/console/dead", "/console/bulk", "/console/export.csv"):
        assert (await client.get(url)).status_code == 200, url
