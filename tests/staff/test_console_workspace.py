"""The console as a place to work in, in headless Chromium at desktop and phone sizes.

Labels instead of codes, filters as controls, honest bulk reports, HTML error pages in
the page's language, no horizontal scroll at 390 px, and no critical or serious
axe-core finding on any console page.
"""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.async_api import Browser, Page

from bots.settings import Settings
from bots.web.app import create_app
from storage import staff as staff_store
from storage.db import Database
from tests.staff.helpers import PASSWORD, WebConsumer, file_by_chat
from tests.support.browser import (
    DESKTOP,
    PHONE,
    axe_problems,
    chromium,
    scroll_width,
    shots_on_failure,
)  # fmt: skip
from tests.support.server import serve_in_thread


async def add_staff(database: Database, username: str, role: str) -> None:
    async with database.transaction() as session:
        await staff_store.create_staff(
            session=session, username=username, role=role, password=PASSWORD,
            now=datetime.now(UTC),
        )  # fmt: skip


async def signed_in_page(browser: Browser, base: str, username: str, **size: int) -> Page:
    page = await browser.new_page(viewport=size or DESKTOP)  # type: ignore[arg-type]
    await page.goto(f"{base}/console/login?lang=zh-CN")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form.login button[type=submit]")
    await page.wait_for_url("**/console/complaints")
    return page


async def test_staff_read_labels_use_filters_as_controls_and_get_honest_reports(
    settings: Settings, database: Database
) -> None:
    await add_staff(database, "mei", "admin")
    with serve_in_thread(create_app(settings)) as base:
        async with WebConsumer.at(base) as xiaoming:
            number = await file_by_chat(xiaoming, photo=True)
        async with chromium() as browser:
            page = await signed_in_page(browser, base, "mei")
            async with shots_on_failure(page, "workspace-list"):
                rows = page.locator("table.complaints tbody")
                listed = await rows.inner_text()
                assert "家用电器" in listed and "appliances" not in listed
                assert "网页" in listed and "web" not in listed

                # Category by its label, from a select; the list keeps the choice.
                await page.select_option("select[name=category]", label="家用电器")
                await page.click("#apply-filters")
                await page.wait_for_url("**category=appliances**")
                assert number in await rows.inner_text()
                await page.select_option("select[name=assignee]", "none")
                await page.click("#apply-filters")
                await page.wait_for_url("**assignee=none**")
                assert number in await rows.inner_text()
                await page.select_option("select[name=assignee]", "me")
                await page.click("#apply-filters")
                await page.wait_for_url("**assignee=me**")
                assert number not in await rows.inner_text()

                # A backwards date range is a message on the page, not an empty list.
                await page.goto(
                    f"{base}/console/complaints?filed_from=2026-12-10&filed_to=2026-12-01"
                )
                assert (
                    "起始日期不能晚于截止日期" in await page.locator("#filter-error").inner_text()
                )

                # Saved views and sortable columns are links that keep the filters.
                await page.goto(f"{base}/console/complaints")
                await page.click("nav.views >> text=未分派")
                await page.wait_for_url("**assignee=none")
                await page.click("th a.sort >> text=编号")
                await page.wait_for_url("**assignee=none&sort=number")
                assert await page.locator("th[aria-sort=ascending]").count() == 1

            async with shots_on_failure(page, "workspace-case"):
                await page.goto(f"{base}/console/complaints/{number}")
                fields = await page.locator("dl.fields").inner_text()
                assert "3,999.00 元" in fields
                assert "退款" in fields and "refund" not in fields
                assert "大家电" in fields or "large" not in fields
                assert "UTC+08:00" in fields or "CST" in fields
                options = await page.locator("#status-form select[name=status] option").all()
                values = [await o.get_attribute("value") for o in options]
                assert values[0] == "" and "withdrawn" not in values
                # The neutral default cannot be submitted by accident.
                await page.click("#status-form button[type=submit]")
                assert page.url.endswith(number)
                await page.fill("form[action$='/notes'] textarea", "已电话联系商家")
                await page.click("form[action$='/notes'] button[type=submit]")
                await page.wait_for_url("**?done=notes")
                assert "备注已保存" in await page.locator("p.ok").inner_text()
                timeline = await page.locator(".timeline").inner_text()
                assert "内部备注 · mei" in timeline and "staff:mei" not in timeline
                assert "(note" not in timeline

                # Evidence: a thumbnail that opens the viewer; its fingerprint is shown.
                assert "SHA-256" in await page.locator(".evidence").inner_text()
                await page.click("button.thumb")
                assert await page.locator("dialog#viewer[open]").count() == 1
                await page.click("dialog#viewer [data-act=rotate]")
                style = await page.locator("dialog#viewer img").get_attribute("style")
                assert "rotate(90deg)" in (style or "")
                await page.click("dialog#viewer [data-act=close]")

            async with shots_on_failure(page, "workspace-bulk"):
                await page.goto(f"{base}/console/bulk")
                await page.select_option("select[name=status]", label="已受理")
                await page.fill("textarea[name=text]", "系统维护通知")
                await page.click("form.stack button[type=submit]")
                await page.wait_for_url("**/console/bulk?sent=0")
                result = page.locator("#bulk-result")
                assert await result.get_attribute("class") == "warning"
                assert "未发送" in await result.inner_text()

            async with shots_on_failure(page, "workspace-errors"):
                missing = await page.goto(f"{base}/console/complaints/20990101999999")
                assert missing is not None and missing.status == 404
                assert "找不到" in await page.locator("p.error").inner_text()
                assert "detail" not in await page.content()
                bad = await page.goto(f"{base}/console/complaints?overdue=soon")
                assert bad is not None and bad.status == 422
                assert "请求内容无效" in await page.locator("p.error").inner_text()

            pages = [
                "/console/complaints", f"/console/complaints/{number}", "/console/overview",
                "/console/bulk", "/console/dead", "/console/statistics", "/console/staff",
                "/console/account",
                "/console/complaints/20990101999999",
            ]  # fmt: skip
            phone = await signed_in_page(browser, base, "mei", **PHONE)
            for path in pages:
                for view, size in ((page, DESKTOP), (phone, PHONE)):
                    async with shots_on_failure(view, f"axe-{size['width']}-{path[9:]}"):
                        await view.goto(base + path)
                        assert await axe_problems(view) == [], path
                        if size is PHONE:
                            assert await scroll_width(view) <= 390, path
            # The list became cards on the phone: no table header row is shown.
            await phone.goto(f"{base}/console/complaints")
            row = phone.locator("table.complaints tbody tr").first
            assert await row.evaluate("tr => getComputedStyle(tr).display") == "block"
            login = await browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
            await login.goto(f"{base}/console/login")
            assert await axe_problems(login) == []
            assert await scroll_width(login) <= 390
