"""The console's alerts page: spikes with their complaints, the two buttons, overdue
merchants; supervisors only."""

from __future__ import annotations

import re

import httpx

from bots.services import Services
from storage.models import OutboxNotice
from tests.conftest import Clock
from tests.merchants.helpers import accept_link_forward, make_merchant, merchant_sign_in
from tests.merchants.test_console_merchant import _console
from tests.staff.helpers import (
    PASSWORD,
    WebConsumer,
    count,
    file_by_chat,
    make_staff,
    sign_in,
)


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


async def test_the_alerts_page_lists_a_spike_and_handles_it_together(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    api = await sign_in(client, services, "supervisor", "boss")
    suning = await make_merchant(services, "苏宁易购")
    alice = WebConsumer.beside(client)
    numbers = [await file_by_chat(alice, merchant_name="苏宁易购")]
    for _ in range(4):
        numbers.append(await file_by_chat(WebConsumer.beside(client), merchant_name="苏宁易购"))
    numbers.append(await file_by_chat(alice, merchant_name="苏宁易购"))
    for number in numbers[:4]:
        await client.post(f"/api/v1/complaints/{number}/status", headers=api,
                          json={"status": "accepted", "notify": False})  # fmt: skip
    await _console(client, "boss")
    page = await client.get("/console/alerts?lang=en")
    assert page.status_code == 200
    assert 'href="/console/alerts"' in page.text  # the navigation link
    assert "苏宁易购" in page.text and "6 in the last 7 days" in page.text
    for number in numbers:
        assert f'href="/console/complaints/{number}"' in page.text
    assert page.text.count("will be forwarded") == 4
    assert "not accepted, or closed" in page.text
    # Filed times are local: the default test clock is 02:00 UTC, 10:00 in Beijing.
    assert "2026-11-20 10:00" in page.text and "(UTC+08:00)" in page.text
    csrf = _csrf(page)
    base = f"/console/alerts/spikes/{suning}"
    forged = await client.post(f"{base}/forward", data={"csrf": "x"})
    assert forged.status_code == 403
    done = await client.post(f"{base}/forward", data={"csrf": csrf, "note": "All of them"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/console/alerts?merchant={suning}&forwarded=4&skipped=2"
    shown = await client.get(done.headers["location"])
    assert "4 forwarded, 2 skipped" in shown.text
    assert shown.text.count("forwarded on 2026-11-20") == 4
    zh = await client.get("/console/alerts?lang=zh-CN")
    assert "异常预警" in zh.text and "已于 2026-11-20 转交" in zh.text

    forged = await client.post(f"{base}/notice", data={"csrf": "x", "text": "hi"})
    assert forged.status_code == 403
    sent = await client.post(f"{base}/notice", data={"csrf": csrf, "text": "统一处理中"})
    assert sent.headers["location"] == f"/console/alerts?merchant={suning}&sent=5"
    assert await count(services, OutboxNotice, OutboxNotice.kind == "bulk") == 5
    blank = await client.post(f"{base}/notice", data={"csrf": csrf, "text": " "})
    assert "error=" in blank.headers["location"]

    clock.advance(days=30)  # the spike is over; the merchant never answered
    later = await client.get("/console/alerts?lang=en")
    assert "No merchant has a spike now" in later.text
    overdue = later.text.split('id="merchant-overdue"')[1]
    assert all(f"/console/complaints/{n}" in overdue for n in numbers[:4])
    assert 'href="/console/complaints?overdue=merchant"' in later.text
    listed = await client.get("/console/complaints?overdue=merchant")
    assert all(f"/console/complaints/{n}" in listed.text for n in numbers[:4])
    assert f"/console/complaints/{numbers[4]}" not in listed.text
    # The list's overdue menu offers the merchant's clock, chosen here, by its label.
    assert '<option value="merchant" selected>' in listed.text
    gone = await client.post(f"{base}/forward", data={"csrf": csrf})
    assert "error=" in gone.headers["location"] and "spike" in gone.headers["location"]


async def test_agents_and_merchants_cannot_use_the_alerts_page(
    client: httpx.AsyncClient, services: Services
) -> None:
    boss = await sign_in(client, services, "supervisor")
    suning = await make_merchant(services, "苏宁易购")
    await merchant_sign_in(client, services, suning, "shop")
    number = await file_by_chat(WebConsumer.beside(client), merchant_name="苏宁易购")
    await accept_link_forward(client, boss, number, suning)
    for _ in range(4):
        await file_by_chat(WebConsumer.beside(client), merchant_name="苏宁易购")
    await make_staff(services, "ag", "agent")
    await _console(client, "ag")
    assert (await client.get("/console/alerts")).status_code == 403
    csrf = _csrf(await client.get("/console/complaints"))
    assert 'href="/console/alerts"' not in (await client.get("/console/complaints")).text
    for action in ("forward", "notice"):
        refused = await client.post(
            f"/console/alerts/spikes/{suning}/{action}", data={"csrf": csrf, "text": "hi"}
        )
        assert refused.status_code == 403
    assert await count(services, OutboxNotice, OutboxNotice.kind == "bulk") == 0
    # A merchant login never holds a console session.
    client.cookies.clear()
    login = await client.get("/console/login")
    signed = await client.post("/console/login", data={
        "username": "shop", "password": PASSWORD, "csrf": _csrf(login)})  # fmt: skip
    assert signed.status_code == 401
    assert (await client.get("/console/alerts")).status_code == 303
