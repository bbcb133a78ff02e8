"""The console updates itself: a consumer's answer appears on the open case and on the
open list (with the evidence that arrives), a merchant's reply under the merchant's
name, the navigation counts unread cases, a note says who else has the case open (kept in the
database, so it holds across replicas), and a draft survives an expired session.
"""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from bots.settings import Settings
from bots.web.app import create_app
from storage.db import Database
from tests.merchants.test_merchant_browser import _forward as forward
from tests.merchants.test_merchant_browser import _setup as merchant_setup
from tests.staff.helpers import PASSWORD, WebConsumer, file_by_chat
from tests.staff.test_console_workspace import add_staff, signed_in_page
from tests.support.browser import PHONE, chromium, shots_on_failure
from tests.support.server import serve_in_thread

LIVE_MS = 15_000  # three pulses


async def test_the_open_case_and_the_navigation_update_without_reload(
    settings: Settings, database: Database
) -> None:
    await add_staff(database, "mei", "supervisor")
    await add_staff(database, "li", "agent")
    with serve_in_thread(create_app(settings)) as base:
        async with WebConsumer.at(base, lang="zh-CN") as xiaoming, chromium() as browser:
            number = await file_by_chat(xiaoming)
            mei = await signed_in_page(browser, base, "mei")
            li = await signed_in_page(browser, base, "li", **PHONE)
            async with shots_on_failure(mei, "live-mei"), shots_on_failure(li, "live-li"):
                await mei.goto(f"{base}/console/complaints/{number}")
                # Assigned to li: mei looking at the case does not read it for li.
                await mei.select_option("form[action$='/assign'] select", "li")
                await mei.click("form[action$='/assign'] button[type=submit]")
                await mei.wait_for_url("**?done=assign")
                await mei.fill("textarea[data-keep=reply]", "请提供发票照片")
                await mei.click("form.reply-box button[type=submit]")
                await mei.wait_for_url("**?done=messages")

                replies = await xiaoming.say("发票在订单页面，已截图")
                assert any(number in r["text"] for r in replies)

                # mei's page shows the answer, li's navigation counts the case.
                talk = mei.locator("#live-talk")
                await expect(talk).to_contain_text("发票在订单页面", timeout=LIVE_MS)
                assert await mei.locator("textarea[data-keep=reply]").count() == 1
                await expect(li.locator(".unread-nav")).to_contain_text("1 条未读", timeout=LIVE_MS)

                # li opens the same case: mei is told.
                await li.goto(f"{base}/console/complaints/{number}")
                await expect(mei.locator("#presence")).to_contain_text(
                    "li 也在查看此案件", timeout=LIVE_MS
                )
                await expect(li.locator(".unread-nav")).to_be_hidden(timeout=LIVE_MS)


async def test_a_draft_survives_an_expired_session(settings: Settings, database: Database) -> None:
    await add_staff(database, "mei", "supervisor")
    with serve_in_thread(create_app(settings)) as base:
        async with WebConsumer.at(base) as xiaoming, chromium() as browser:
            number = await file_by_chat(xiaoming)
            page = await signed_in_page(browser, base, "mei")
            async with shots_on_failure(page, "draft"):
                await page.goto(f"{base}/console/complaints/{number}")
                await page.fill("form[action$='/notes'] textarea", "商家承诺周五前退款")
                await page.context.clear_cookies()  # the session ran out meanwhile
                await page.click("form[action$='/notes'] button[type=submit]")
                await page.wait_for_url("**/console/login?next=**")
                await page.fill("input[name=username]", "mei")
                await page.fill("input[name=password]", "correct horse battery")
                await page.click("form.login button[type=submit]")
                await page.wait_for_url(f"**/console/complaints/{number}")
                note = page.locator("form[action$='/notes'] textarea")
                assert await note.input_value() == "商家承诺周五前退款"
                await page.click("form[action$='/notes'] button[type=submit]")
                await page.wait_for_url("**?done=notes")
                assert "商家承诺周五前退款" in await page.locator(".timeline").inner_text()
                # Saved: the draft is gone, a reload shows an empty box.
                await page.goto(f"{base}/console/complaints/{number}")
                assert await note.input_value() == ""


async def _api(base: str, username: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=base) as http:
        login = {"username": username, "password": PASSWORD}
        got = await http.post("/api/v1/auth/token", data=login)
    assert got.status_code == 200, got.text
    return {"Authorization": f"Bearer {got.json()['access_token']}"}


async def test_the_open_list_updates_its_rows_and_the_unread_counter_without_reload(
    settings: Settings, database: Database
) -> None:
    await add_staff(database, "mei", "supervisor")
    with serve_in_thread(create_app(settings)) as base:
        async with WebConsumer.at(base, lang="zh-CN") as xiaoming, chromium() as browser:
            number = await file_by_chat(xiaoming)
            mei = await signed_in_page(browser, base, "mei")
            async with shots_on_failure(mei, "live-list"), httpx.AsyncClient(base_url=base) as api:
                staff = await _api(base, "mei")
                row = mei.locator(f"#live-list tr[data-number='{number}']")
                assert await row.locator(".unread, .evidence-count").count() == 0
                await expect(mei.locator(".unread-nav")).to_be_hidden()
                await mei.evaluate("() => { window.notReloaded = true; }")

                sent = await api.post(f"/api/v1/complaints/{number}/messages", headers=staff,
                                      json={"text": "请提供发票照片"})  # fmt: skip
                assert sent.status_code < 300, sent.text
                await xiaoming.say("发票在订单页面，已截图")
                # The consumer wrote: the row counts the message, the navigation the case.
                await expect(row.locator(".unread")).to_have_text("1 条新消息", timeout=LIVE_MS)
                nav = mei.locator(".unread-nav")
                await expect(nav).to_contain_text("1 条未读", timeout=LIVE_MS)

                asked = await api.post(f"/api/v1/complaints/{number}/request-evidence",
                                       headers=staff, json={"note": "发票"})  # fmt: skip
                assert asked.status_code < 300, asked.text
                await xiaoming.upload()
                # Evidence arrived: the same row, still the same page, shows the file.
                files = row.locator(".evidence-count")
                await expect(files).to_have_text("1 份证据", timeout=LIVE_MS)
                assert await mei.evaluate("() => window.notReloaded === true")


async def test_a_merchants_reply_is_labelled_with_the_merchants_name_on_the_open_case(
    settings: Settings, database: Database
) -> None:
    mine, _ = await merchant_setup(database)
    with serve_in_thread(create_app(settings)) as base:
        async with WebConsumer.at(base) as alice, chromium() as browser:
            number = await file_by_chat(alice)
            await forward(base, number, mine)
            mei = await signed_in_page(browser, base, "mei")
            shots = shots_on_failure(mei, "live-merchant")
            async with shots, httpx.AsyncClient(base_url=base) as api:
                await mei.goto(f"{base}/console/complaints/{number}")
                await mei.evaluate("() => { window.notReloaded = true; }")
                desk = await _api(base, "suning")
                reply = {"text": "我们会在三天内上门维修"}
                replied = await api.post(f"/api/v1/merchant/complaints/{number}/messages",
                                         headers=desk, json=reply)  # fmt: skip
                assert replied.status_code < 300, replied.text

                talk = mei.locator("#live-talk li.from-merchant")
                await expect(talk).to_contain_text("我们会在三天内上门维修", timeout=LIVE_MS)
                assert "商家 · 苏宁易购" in await talk.locator(".who").inner_text()
                entry = mei.locator("#live-timeline li.merchant_message")
                await expect(entry).to_contain_text("商家 · 苏宁易购: 我们会在三天内上门维修")
                shown = await mei.locator("#live-talk").inner_text()
                shown += await mei.locator("#live-timeline").inner_text()
                assert "suning" not in shown and "merchant:" not in shown
                assert await mei.evaluate("() => window.notReloaded === true")
