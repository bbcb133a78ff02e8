"""The web chat page in a real headless Chromium: buttons, typing, a photo upload."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page

from bots.app import create_app
from bots.settings import Settings
from storage.db import Database
from tests.support.browser import chromium
from tests.support.server import serve_in_thread

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18"
    b"\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def say(page: Page, text: str) -> None:
    before = await page.locator(".msg.bot").count()
    await page.fill("#text", text)
    await page.press("#text", "Enter")
    await page.wait_for_function(
        f"document.querySelectorAll('.msg.bot').length > {before}", timeout=10_000
    )


async def test_file_a_complaint_with_a_photo_in_the_page(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    photo = tmp_path / "receipt.png"
    photo.write_bytes(PNG)
    with serve_in_thread(create_app(settings)) as base:
        async with chromium() as browser:
            page = await browser.new_page()
            await page.goto(f"{base}/chat?lang=en&user=browser-1")
            await page.get_by_role("button", name="File a complaint").click()
            await page.get_by_role("button", name="Household appliances").click()
            await page.locator(".choices button:not([disabled])").first.click()
            await page.wait_for_function("document.querySelectorAll('.msg.bot').length > 4")
            for answer in [
                "no",  # not accepted by a court or another agency
                "Suning Electronics",
                "skip",
                "skip",
                "yesterday",
                "3999",
                "The fridge stopped cooling two days after delivery.",
                "1",
            ]:
                await say(page, answer)
            before = await page.locator(".msg.bot").count()
            await page.set_input_files("#file", str(photo))
            await page.wait_for_function(f"document.querySelectorAll('.msg.bot').length > {before}")
            assert "1" in (await page.locator(".msg.bot").last.inner_text())
            for answer in ["done", "Li Lei", "13812345678", "yes", "1"]:
                await say(page, answer)
            log = await page.locator("#log").inner_text()
            number = re.search(r"\b(\d{14})\b", log)
            assert number, log
            await say(page, "my complaints")
            assert number.group(1) in await page.locator("#log").inner_text()
            await page.screenshot(path=str(tmp_path / "chat.png"))
