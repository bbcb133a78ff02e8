"""China time and the clocks of each request type, through the chat, the API and the CSV.

Every test pins the clock; the moments sit on both sides of Beijing midnight (16:00 UTC).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import httpx
from sqlalchemy import select

from bots.services import Services
from bots.web.app import create_app
from dialogs.texts import format_date
from storage.models import AuditEntry, Complaint, OutboxNotice
from tests.conftest import Clock
from tests.staff.helpers import PASSWORD, WebConsumer, count, file_by_chat, sign_in
from tests.support.driver import CONSULTATION, REPORT, filed, walk

LIST = "/api/v1/complaints"


@asynccontextmanager
async def consumer(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """One HTTP client per consumer: the web chat identity lives in the client."""
    app = create_app(services=services)
    app.state.services = services
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def file_as(services: Services, user: str, lang: str = "en", **answers: Any) -> str:
    # ``user`` only names the consumer in the test: each call is a browser of its own.
    async with consumer(services) as http:
        return await file_by_chat(WebConsumer(http, lang), **{"incident_date": "today", **answers})


async def stored(services: Services, number: str) -> Complaint:
    async with services.database.sessions() as session:
        found = await session.scalar(select(Complaint).where(Complaint.number == number))
    assert found is not None
    return found


async def notices(services: Services, number: str) -> list[str]:
    async with services.database.sessions() as session:
        complaint = await session.scalar(select(Complaint).where(Complaint.number == number))
        assert complaint is not None
        rows = await session.scalars(
            select(OutboxNotice).where(OutboxNotice.complaint_id == complaint.id)
        )
        return ["\n".join(r["text"] for r in n.payload["replies"]) for n in rows]


def clocks_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k["clock"]: k for k in body["clocks"]}


async def test_numbers_dates_and_deadlines_follow_china_time(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 23, 15, 59, tzinfo=UTC)  # 23:59 in Beijing
    before = await file_as(services, "late-evening", incident_date="today")
    clock.now = datetime(2026, 11, 23, 16, 1, tzinfo=UTC)  # 00:01 on the 24th
    async with consumer(services) as http:
        after = await file_by_chat(WebConsumer(http), incident_date="11月24日")
    yesterday = await file_as(services, "yesterday", lang="zh-CN", incident_date="昨天")
    assert before == "20261123000001"
    assert after == "20261124000001" and yesterday == "20261124000002"

    late, early, yday = [await stored(services, n) for n in (before, after, yesterday)]
    assert (late.incident_date, late.accept_due) == (date(2026, 11, 23), date(2026, 12, 2))
    # "11月24日" at 00:01 Beijing time is today, not a day in the future.
    assert (early.incident_date, early.accept_due) == (date(2026, 11, 24), date(2026, 12, 3))
    assert yday.incident_date == date(2026, 11, 23)

    staff = await sign_in(client, services, "supervisor")
    body = (await client.get(f"{LIST}/{after}", headers=staff)).json()
    assert body["filed_at"] == "2026-11-24T00:01:00+08:00"
    assert body["timeline"][0]["at"] == "2026-11-24T00:01:00+08:00"
    clocks = clocks_of(body)
    assert clocks["acceptance"] == {
        "clock": "acceptance", "due": "2026-12-03", "running": True, "workdays_left": 7,
        "overdue_by": None, "extensions": 0, "can_extend": False, "provisional": False,
    }  # fmt: skip
    # Resolution is estimated into 2027, past chinesecalendar's data: provisional.
    assert clocks["resolution"]["provisional"] is True
    assert clocks["resolution"]["running"] is False

    csv = (await client.get("/api/v1/complaints.csv", headers=staff)).text
    assert "2026-11-24T00:01:00+08:00" in csv and "2026-11-23T23:59:00+08:00" in csv

    on_24th = (await client.get(LIST, headers=staff, params={"filed_from": "2026-11-24"})).json()
    assert {i["number"] for i in on_24th["items"]} == {after, yesterday}
    on_23rd = (await client.get(LIST, headers=staff, params={"filed_to": "2026-11-23"})).json()
    assert [i["number"] for i in on_23rd["items"]] == [before]
    figures = (
        await client.get("/api/v1/statistics", headers=staff, params={"filed_from": "2026-11-01"})
    ).json()
    assert figures["by_day"] == {"2026-11-23": 1, "2026-11-24": 2}

    # The consumer's own view shows the local day too.
    assert format_date("en", early.filed_at) == "24 Nov 2026"
    assert format_date("zh-CN", late.filed_at) == "2026年11月23日"


async def test_filing_dates_at_the_ends_of_the_calendar_filter_like_any_other(
    client: httpx.AsyncClient, services: Services
) -> None:
    # 0001-01-01 starts before the first instant in UTC+08:00 and 9999-12-31 ends after
    # the last: they mean "from the beginning" and "to the end", not a server error.
    number = await file_by_chat(WebConsumer.beside(client))
    staff = await sign_in(client, services, "supervisor")
    widest = {"filed_from": "0001-01-01", "filed_to": "9999-12-31"}
    found = await client.get(LIST, headers=staff, params=widest)
    assert found.status_code == 200, found.text
    assert [i["number"] for i in found.json()["items"]] == [number]
    none = await client.get(LIST, headers=staff, params={"filed_to": "0001-01-01"})
    assert none.status_code == 200 and none.json()["total"] == 0
    figures = await client.get("/api/v1/statistics", headers=staff, params=widest)
    assert figures.status_code == 200 and figures.json()["total"] == 1


async def test_the_filed_reply_names_the_clock_of_the_type(
    services: Services, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 23, 16, 1, tzinfo=UTC)  # Tuesday 2026-11-24, Beijing
    said: dict[str, str] = {}
    for user, answers, lang in (("r", REPORT, "en"), ("q", CONSULTATION, "zh-CN")):
        async with consumer(services) as http:
            replies = await walk(
                WebConsumer(http, lang).say, {**answers, "incident_date": "today"},
                until=lambda r: filed(r) is not None,
            )  # fmt: skip
        said[user] = "\n".join(r["text"] for r in replies)
        number = filed(replies)
        assert number is not None and number.startswith("20261124")
    # A report: the decision on opening a case, 15 working days after receipt.
    assert "open a case by 15 Dec 2026" in said["r"]
    assert "accept" not in said["r"]
    # A consultation: the answer, 7 working days.
    assert "2026年12月3日 前答复" in said["q"]


async def test_overdue_filters_cover_every_clock(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    clock.now = datetime(2026, 3, 1, 16, 1, tzinfo=UTC)  # Monday 2026-03-02, Beijing
    complaint = await file_as(services, "c1")
    report = await file_as(services, "r1", **REPORT)
    consultation = await file_as(services, "q1", **CONSULTATION)
    staff = await sign_in(client, services, "supervisor")

    async def overdue(which: str) -> set[str]:
        got = await client.get(LIST, headers=staff, params={"overdue": which})
        assert got.status_code == 200, got.text
        return {i["number"] for i in got.json()["items"]}

    assert await overdue("any") == set()
    clock.advance(days=12)  # 2026-03-14: 10 working days later
    assert await overdue("acceptance") == {complaint}
    assert await overdue("answer") == {consultation}
    assert await overdue("decision") == set()  # a report has 15 working days
    body = (await client.get(f"{LIST}/{consultation}", headers=staff)).json()
    # Due Wednesday 03-11; today is Saturday 03-14: Thursday and Friday are late.
    assert clocks_of(body)["answer"]["overdue_by"] == 2
    assert body["deadline_flags"] == {"answer": "overdue"}
    clock.advance(days=10)  # 2026-03-24
    assert await overdue("decision") == {report}
    assert await overdue("any") == {complaint, report, consultation}

    url = f"{LIST}/{complaint}/status"
    for target in ("accepted", "mediating"):
        moved = await client.post(url, headers=staff, json={"status": target})
        assert moved.status_code == 200, moved.text
    body = (await client.get(f"{LIST}/{complaint}", headers=staff)).json()
    clocks = clocks_of(body)
    # Accepted on 03-24 (Beijing): mediation ends 45 working days later, resolution 60.
    assert clocks["mediation"]["due"] == "2026-05-29" and clocks["mediation"]["running"]
    assert clocks["resolution"]["due"] == "2026-06-22"
    assert clocks["acceptance"]["running"] is False
    assert await overdue("acceptance") == set()
    clock.now = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    assert await overdue("mediation") == {complaint}
    assert await overdue("resolution") == set()
    assert (await client.get(LIST, headers=staff, params={"overdue": "later"})).status_code == 422


async def test_a_report_decision_is_extended_once_and_the_consumer_is_told(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    clock.now = datetime(2026, 3, 1, 16, 1, tzinfo=UTC)  # Monday 2026-03-02, Beijing
    report = await file_as(services, "reporter", lang="zh-CN", **REPORT)
    other = await file_as(services, "other", lang="zh-CN", **REPORT)
    complaint = await file_as(services, "complainer")
    agent = await sign_in(client, services, "agent")
    extend = f"{LIST}/{report}/deadlines/decision/extend"
    assert (await stored(services, report)).decision_due == date(2026, 3, 23)

    done = await client.post(extend, headers=agent, json={"note": "需要现场核查"})
    assert done.status_code == 200, done.text
    assert done.json()["previous_due"] == "2026-03-23" and done.json()["due"] == "2026-04-14"
    assert (await stored(services, report)).decision_due == date(2026, 4, 14)
    told = await notices(services, report)
    assert len(told) == 1 and "2026年4月14日" in told[0] and "需要现场核查" in told[0]
    assert "立案决定" in told[0]
    assert await notices(services, other) == []
    assert await count(services, AuditEntry, AuditEntry.action == "complaint.extend_deadline") == 1
    body = (await client.get(f"{LIST}/{report}", headers=agent)).json()
    assert clocks_of(body)["decision"]["extensions"] == 1
    assert clocks_of(body)["decision"]["can_extend"] is False
    entry = next(e for e in body["timeline"] if e["kind"] == "deadline")
    assert entry["note"] == "decision: 2026-03-23 → 2026-04-14. 需要现场核查"

    again = await client.post(extend, headers=agent, json={"note": "again"})
    assert again.status_code == 409 and "already extended" in again.json()["detail"]
    not_allowed = await client.post(
        f"{LIST}/{complaint}/deadlines/acceptance/extend", headers=agent, json={"note": "x"}
    )
    assert not_allowed.status_code == 409
    for clock_name, body_json, status in (
        ("decision", {"note": ""}, 422),
        ("someday", {"note": "x"}, 422),
        ("answer", {"note": "x"}, 409),  # a report has no answer clock
    ):
        got = await client.post(
            f"{LIST}/{other}/deadlines/{clock_name}/extend", headers=agent, json=body_json
        )
        assert got.status_code == status, got.text
    for missing in ("nope", "2026%00", "9" * 200):
        got = await client.post(
            f"{LIST}/{missing}/deadlines/decision/extend", headers=agent, json={"note": "x"}
        )
        assert got.status_code == 404, got.text
    assert (await client.post(extend, json={"note": "x"})).status_code == 401

    # Once decided, the clock no longer runs: nothing to extend.
    moved = await client.post(f"{LIST}/{other}/status", headers=agent, json={"status": "accepted"})
    assert moved.status_code == 200
    stopped = await client.post(
        f"{LIST}/{other}/deadlines/decision/extend", headers=agent, json={"note": "x"}
    )
    assert stopped.status_code == 409 and "not running" in stopped.json()["detail"]
    assert (await stored(services, other)).decision_due == date(2026, 3, 23)


async def test_the_console_extends_with_its_button(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    clock.now = datetime(2026, 3, 1, 16, 1, tzinfo=UTC)
    report = await file_as(services, "reporter", **REPORT)
    await sign_in(client, services, "agent", "ag")
    login = await client.get("/console/login?lang=en")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token
    signed = await client.post(
        "/console/login", data={"username": "ag", "password": PASSWORD, "csrf": token.group(1)}
    )
    assert signed.status_code == 303
    page = await client.get(f"/console/complaints/{report}")
    assert "extend-form" in page.text and "Decision on opening a case" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    url = f"/console/complaints/{report}/deadlines/decision/extend"
    refused = await client.post(url, data={"note": "site visit", "csrf": "forged"})
    assert refused.status_code == 403
    done = await client.post(url, data={"note": "site visit", "csrf": csrf.group(1)})
    assert done.status_code == 303
    page = await client.get(f"/console/complaints/{report}")
    assert "2026-04-14" in page.text and "extend-form" not in page.text
    assert "site visit" in page.text
    again = await client.post(url, data={"note": "again", "csrf": csrf.group(1)})
    assert again.status_code == 409 and "already extended" in again.text
    clock.now = datetime(2026, 4, 20, 2, 0, tzinfo=UTC)  # past the extended decision date
    listed = await client.get("/console/complaints", params={"overdue": "decision"})
    assert listed.status_code == 200 and report in listed.text
    assert 'data-clock="decision"' in listed.text and "overdue by 4 working days" in listed.text
    assert "Filed (UTC+08:00)" in listed.text


async def test_on_time_rates_per_clock(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    clock.now = datetime(2026, 3, 1, 16, 1, tzinfo=UTC)
    report = await file_as(services, "r", **REPORT)
    consultation = await file_as(services, "q", **CONSULTATION)
    waiting = await file_as(services, "w", **CONSULTATION)
    mediated = await file_as(services, "m")
    staff = await sign_in(client, services, "supervisor")
    assert (await client.post(f"{LIST}/{report}/status", headers=staff,
                              json={"status": "accepted"})).status_code == 200  # fmt: skip
    for target in ("accepted", "mediating", "resolved"):
        moved = await client.post(f"{LIST}/{mediated}/status", headers=staff,
                                  json={"status": target})  # fmt: skip
        assert moved.status_code == 200, moved.text
    clock.advance(days=20)  # past the consultations' 7 working days
    assert (await client.post(f"{LIST}/{consultation}/status", headers=staff,
                              json={"status": "accepted"})).status_code == 200  # fmt: skip
    figures = (
        await client.get("/api/v1/statistics", headers=staff, params={"filed_from": "2026-03-01"})
    ).json()
    assert figures["clocks"]["decision"] == {"on_time": 1, "late": 0, "on_time_rate": 1.0}
    # One answered late, one still waiting past its due date.
    assert figures["clocks"]["answer"] == {"on_time": 0, "late": 2, "on_time_rate": 0.0}
    one = {"on_time": 1, "late": 0, "on_time_rate": 1.0}
    assert figures["acceptance"] == figures["clocks"]["acceptance"] == one
    assert figures["clocks"]["resolution"] == figures["clocks"]["mediation"] == one
    assert figures["by_type"] == {"consultation": 2, "report": 1, "complaint": 1}
    assert waiting
