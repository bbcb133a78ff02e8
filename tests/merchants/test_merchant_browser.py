"""The merchant page in a real headless Chromium against a real uvicorn server.

A merchant signs in, sees only the complaint forwarded to it (not another merchant's,
not staff notes), replies, makes an offer; the web chat consumer accepts it and the
page shows the case resolved with the settlement.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from bots.settings import Settings
from bots.web.app import create_app
from storage import merchants as merchant_store
from storage import staff as staff_store
from storage.db import Database
from tests.staff.helpers import PASSWORD, WebConsumer, file_by_chat
from tests.support.browser import chromium
from tests.support.server import serve_in_thread


async def _setup(database: Database) -> tuple[int, int]:
    now = datetime.now(UTC)
    async with database.transaction() as session:
        await staff_store.create_staff(
            session=session, username="mei", role="supervisor", password=PASSWORD, now=now
        )
        mine = await merchant_store.create_merchant(session=session, name="苏宁易购", now=now)
        other = await merchant_store.create_merchant(session=session, name="国美电器", now=now)
        await merchant_store.create_login(
            session=session, username="suning", password=PASSWORD, merchant_id=mine.id, now=now
        )
        return mine.id, other.id


async def _forward(base: str, number: str, merchant_id: int) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        token = await http.post(
            "/api/v1/auth/token", data={"username": "mei", "password": PASSWORD}
        )
        staff = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for url, body in (
            (f"/api/v1/complaints/{number}/status", {"status": "accepted", "note": "ok"}),
            (f"/api/v1/complaints/{number}/merchant", {"merchant_id": merchant_id}),
            (f"/api/v1/complaints/{number}/notes", {"text": "SECRET staff note"}),
            (f"/api/v1/complaints/{number}/forward", {"note": "Please call the consumer."}),
        ):
            assert (await http.post(url, headers=staff, json=body)).status_code < 300, url


async def test_a_merchant_replies_and_offers_in_the_browser_and_the_consumer_accepts(
    settings: Settings, database: Database
) -> None:
    mine, other = await _setup(database)
    with serve_in_thread(create_app(settings)) as base:
        async with WebConsumer.at(base) as alice, WebConsumer.at(base) as bob:
            ours = await file_by_chat(alice)
            theirs = await file_by_chat(bob)
            await _forward(base, ours, mine)
            await _forward(base, theirs, other)
            await alice.notices()
            await alice.say("no")  # no contact details for the merchant
            async with chromium() as browser:
                page = await browser.new_page()
                await page.goto(f"{base}/merchant/login?lang=en")
                await page.fill("input[name=username]", "suning")
                await page.fill("input[name=password]", PASSWORD)
                await page.click("button[type=submit]")
                await page.wait_for_url("**/merchant/complaints")
                content = await page.content()
                assert ours in content and theirs not in content

                await page.click(f"a[href='/merchant/complaints/{ours}']")
                await page.wait_for_url(f"**/merchant/complaints/{ours}")
                text = await page.locator("main").inner_text()
                assert "Please call the consumer." in text and "SECRET" not in text
                assert "has not agreed" in await page.locator("dd.contact").inner_text()
                assert "13812345678" not in await page.content()

                await page.fill("#reply-form textarea[name=text]", "We are sorry; we will fix it.")
                await page.click("#reply-form button[type=submit]")
                await page.wait_for_url(f"**/merchant/complaints/{ours}")
                await page.select_option("#offer-form select[name=kind]", "refund")
                await page.fill("#offer-form input[name=amount]", "3999.00")
                await page.fill("#offer-form textarea[name=text]", "Full refund.")
                await page.click("#offer-form button[type=submit]")
                await page.wait_for_url(f"**/merchant/complaints/{ours}")
                assert "awaiting the consumer" in await page.locator("ul.offers").inner_text()
                # The timeline speaks words: who acted and what happened, never codes.
                timeline = await page.locator("li.entry").all_inner_texts()
                assert any("Complaint desk" in e for e in timeline), timeline
                assert any("苏宁易购" in e for e in timeline), timeline
                raw = re.compile(r"^\S+ \S+ (status|forwarded|message|offer)\b|· desk|merchant:")
                assert not [e for e in timeline if raw.search(e)], timeline

                notices = await alice.notices()
                assert "We are sorry; we will fix it." in notices[0]["text"]
                assert "苏宁易购" in notices[0]["text"]
                assert [c["id"].split(":")[0] for c in notices[-1]["choices"]] == [
                    "accept",
                    "decline",
                ]
                await alice.say("接受")

                await page.reload()
                assert "Resolved" in await page.locator("h1").inner_text()
                assert "3999.00" in await page.locator("p.settlement").inner_text()
                assert await page.locator("#offer-form").count() == 0

                other_case = await page.goto(f"{base}/merchant/complaints/{theirs}")
                assert other_case is not None and other_case.status == 404
                console = await page.goto(f"{base}/console/complaints")
                assert console is not None and "/console/login" in page.url
