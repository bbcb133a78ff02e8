"""A refused action reads as its catalog text in the page's language, on every surface:
the console's case page, its merchant panel and the merchant desk; never the API's
English sentence inside a Chinese page."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from bots.services import Services
from bots.staff.errors import Conflict, Invalid
from dialogs import lifecycle
from tests.merchants.helpers import accept_link_forward, make_merchant, merchant_sign_in
from tests.staff.helpers import PASSWORD, WebConsumer, file_by_chat, make_staff, sign_in

LANGUAGES = ("zh-CN", "en")


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    return found.group(1)


def _shown(page: httpx.Response) -> str:
    return html.unescape(page.text)


async def _console(client: httpx.AsyncClient, username: str, lang: str) -> None:
    login = await client.get(f"/console/login?lang={lang}")
    signed = await client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf": _csrf(login)},
    )
    assert signed.status_code == 303


async def _desk(client: httpx.AsyncClient, username: str, lang: str) -> None:
    login = await client.get(f"/merchant/login?lang={lang}")
    signed = await client.post(
        "/merchant/login",
        data={"username": username, "password": PASSWORD, "csrf": _csrf(login)},
    )
    assert signed.status_code == 303, signed.text


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_refused_merchant_panel_action_reads_in_the_console_language(
    client: httpx.AsyncClient, services: Services, lang: str
) -> None:
    number = await file_by_chat(WebConsumer.beside(client))
    await make_staff(services, "ag", "agent")
    suning = await make_merchant(services, "苏宁易购")
    await _console(client, "ag", lang)
    page = await client.get(f"/console/complaints/{number}?lang={lang}")
    base = f"/console/complaints/{number}/merchant"
    await client.post(f"{base}/link", data={"merchant_id": suning, "csrf": _csrf(page)})
    # Not accepted yet: the forward is refused.
    early = await client.post(f"{base}/forward", data={"csrf": _csrf(page)})
    assert early.status_code == 409
    expected = Conflict("not_forwardable", number=number, status="submitted").text(lang)
    assert expected in _shown(early)
    english = Conflict("not_forwardable", number=number, status="submitted").message
    assert english not in _shown(early)
    if lang == "zh-CN":
        refusal = re.search(r'<p class="error" role="alert">([^<]*)</p>', early.text)
        assert refusal and "受理后才能转交" in refusal.group(1)
        assert not re.search("[A-Za-z]{4}", refusal.group(1)), refusal.group(1)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_refused_status_move_reads_in_the_console_language(
    client: httpx.AsyncClient, services: Services, lang: str
) -> None:
    number = await file_by_chat(WebConsumer.beside(client))
    await make_staff(services, "ag", "agent")
    await _console(client, "ag", lang)
    page = await client.get(f"/console/complaints/{number}?lang={lang}")
    refused = await client.post(
        f"/console/complaints/{number}/status",
        data={"status": "rejected", "csrf": _csrf(page)},
    )
    assert refused.status_code == 422
    needs_reason = Invalid("needs_reason", reasons=tuple(lifecycle.REJECTION_REASONS))
    assert needs_reason.text(lang) in _shown(refused)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_refused_offer_reads_in_the_desk_language(
    client: httpx.AsyncClient, services: Services, lang: str
) -> None:
    number = await file_by_chat(WebConsumer.beside(client))
    staff = await sign_in(client, services, "agent")
    shop = await make_merchant(services, "苏宁易购")
    await merchant_sign_in(client, services, shop, "shop")
    await accept_link_forward(client, staff, number, shop)
    await _desk(client, "shop", lang)
    page = await client.get(f"/merchant/complaints/{number}?lang={lang}")
    refused = await client.post(
        f"/merchant/complaints/{number}/offers",
        data={"kind": "refund", "amount": "1.234", "text": "A refund.", "csrf": _csrf(page)},
    )
    assert refused.status_code == 422
    assert Invalid("amount_decimals").text(lang) in _shown(refused)
    if lang == "zh-CN":
        assert Invalid("amount_decimals").message not in _shown(refused)
