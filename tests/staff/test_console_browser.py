"""The console in a real headless Chromium against a real uvicorn server.

A supervisor signs in, filters the overdue complaints, opens one, sees its evidence
image, accepts it with a note, and the web chat consumer receives the notice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from bots.settings import Settings
from bots.web.app import create_app
from storage import staff as staff_store
from storage.db import Database
from storage.models import Complaint
from tests.staff.helpers import PASSWORD, WebConsumer, file_by_chat
from tests.support.browser import chromium
from tests.support.server import serve_in_thread


async def test_a_supervisor_accepts_an_overdue_complaint_and_the_consumer_is_told(
    settings: Settings, database: Database
) -> None:
    async with database.transaction() as session:
        await staff_store.create_staff(
            session=session, username="mei", role="supervisor", password=PASSWORD,
            now=datetime.now(UTC),
        )  # fmt: skip
    with serve_in_thread(create_app(settings)) as base:
        async with WebConsumer.at(base) as xiaoming, WebConsumer.at(base) as xiaohong:
            late = await file_by_chat(xiaoming, photo=True)
            fresh = await file_by_chat(xiaohong)
            # The first one has waited past its acceptance deadline.
            async with database.transaction() as session:
                await session.execute(
                    update(Complaint)
                    .where(Complaint.number == late)
                    .values(accept_due=date.today() - timedelta(days=3))
                )
            async with chromium() as browser:
                page = await browser.new_page()
                await page.goto(f"{base}/console/login?lang=en")
                await page.fill("input[name=username]", "mei")
                await page.fill("input[name=password]", PASSWORD)
                await page.click("button[type=submit]")
                await page.wait_for_url("**/console/complaints")
                assert fresh in await page.content()

                await page.select_option("select[name=overdue]", "acceptance")
                await page.click("#apply-filters")
                await page.wait_for_url("**overdue=acceptance**")
                rows = page.locator("table.complaints tbody tr")
                assert await rows.count() == 1
                assert await rows.first.get_attribute("class") == "overdue"
                assert fresh not in await page.content()

                await page.click(f"a[href='/console/complaints/{late}']")
                await page.wait_for_url(f"**/console/complaints/{late}")
                image = page.locator("img.evidence-image")
                await image.wait_for()
                width = await image.evaluate("img => img.complete && img.naturalWidth")
                assert width == 1

                await page.select_option("#status-form select[name=status]", "accepted")
                await page.fill("#status-form textarea[name=note]", "We phoned the shop today.")
                await page.click("#status-form button[type=submit]")
                await page.wait_for_url(f"**/console/complaints/{late}?done=status")
                assert "Accepted" in await page.locator("h1").inner_text()
                assert "We phoned the shop today." in await page.locator(".timeline").inner_text()

            texts = [r["text"] for r in await xiaoming.notices()]
            assert len(texts) == 1
            assert late in texts[0] and "Accepted" in texts[0]
            assert "We phoned the shop today." in texts[0]
            assert await xiaohong.notices() == []
