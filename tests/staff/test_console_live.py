"""The console updates itself: a consumer's answer appears on the open case, the
navigation counts unread cases, a note says who else has the case open (kept in the
database, so it holds across replicas), and a draft survives an expired session.
"""

from __future__ import annotations

from playwright.async_api import expect

from bots.settings import Settings
from bots.web.app import create_app
from storage.db import Database
from tests.staff.helpers import WebConsumer, file_by_chat
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
