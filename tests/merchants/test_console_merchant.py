"""The console's merchant panel: the suggestion line, link, forward and take back."""

from __future__ import annotations

import re

import httpx

from bots.services import Services
from tests.merchants.helpers import make_merchant, merchant_sign_in
from tests.staff.helpers import PASSWORD, WebConsumer, file_by_chat, sign_in


async def _console(client: httpx.AsyncClient, username: str) -> None:
    login = await client.get("/console/login?lang=en")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token
    signed = await client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf": token.group(1)},
    )
    assert signed.status_code == 303


async def test_the_console_suggests_links_and_forwards_to_the_merchant(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await file_by_chat(WebConsumer.beside(client), merchant_name="苏宁易购 旗舰店")
    api = await sign_in(client, services, "agent", "ag")
    suning = await make_merchant(services, "苏宁易购")
    await make_merchant(services, "国美电器")
    shop = await merchant_sign_in(client, services, suning, "shop")
    await _console(client, "ag")
    page = await client.get(f"/console/complaints/{number}")
    assert 'class="suggestion">苏宁易购<' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    base = f"/console/complaints/{number}/merchant"
    forged = await client.post(f"{base}/link", data={"merchant_id": suning, "csrf": "x"})
    assert forged.status_code == 403
    linked = await client.post(f"{base}/link", data={"merchant_id": suning, "csrf": csrf[1]})
    assert linked.status_code == 303
    early = await client.post(f"{base}/forward", data={"csrf": csrf[1]})
    assert early.status_code == 409 and "forward it once accepted" in early.text
    await client.post(
        f"/api/v1/complaints/{number}/status", headers=api, json={"status": "accepted"}
    )
    done = await client.post(f"{base}/forward", data={"note": "Call them", "csrf": csrf[1]})
    assert done.headers["location"] == f"/console/complaints/{number}"
    page = await client.get(f"/console/complaints/{number}")
    assert "take-back-form" in page.text and "forwarded" in page.text
    items = (await client.get("/api/v1/merchant/complaints", headers=shop)).json()["items"]
    assert [i["number"] for i in items] == [number]
    back = await client.post(f"{base}/take-back", data={"csrf": csrf[1]})
    assert back.status_code == 303
    assert "taken back" in (await client.get(f"/console/complaints/{number}")).text
