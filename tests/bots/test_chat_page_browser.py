"""The web chat page in a real headless Chromium: buttons, typing, uploads, reloads, offline."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page
from sqlalchemy import func, select

from bots.app import create_app
from bots.settings import Settings
from storage.db import Database
from storage.models import ProcessedMessage
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


async def bot_texts(page: Page) -> list[str]:
    return [text.strip() for text in await page.locator(".msg.bot").all_inner_texts()]


async def test_file_a_complaint_with_a_photo_in_the_page(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    photo = tmp_path / "receipt.png"
    photo.write_bytes(PNG)
    with serve_in_thread(create_app(settings)) as base:
        async with chromium() as browser:
            context = await browser.new_context()
            page = await context.new_page()
            # An id in the URL names nobody: the server's cookie does.
            await page.goto(f"{base}/chat?lang=en&user=browser-1")
            await page.get_by_role("button", name="File a complaint").click()
            await page.get_by_role("button", name="Household appliances").click()
            await page.locator(".choices button:not([disabled])").first.click()
            await page.wait_for_function("document.querySelectorAll('.msg.bot').length > 4")
            for answer in ["no", "Suning Electronics", "skip"]:
                await say(page, answer)
            # A reload brings the conversation back from the server, and it goes on.
            before = await bot_texts(page)
            await page.reload()
            await page.wait_for_function(
                f"document.querySelectorAll('.msg.bot').length >= {len(before)}"
            )
            assert await bot_texts(page) == before
            for answer in [
                "skip",
                "yesterday",
                "3999",
                "The fridge stopped cooling two days after delivery.",
                "1",
            ]:
                await say(page, answer)
            before_upload = await page.locator(".msg.bot").count()
            await page.set_input_files("#file", str(photo))
            await page.wait_for_function(
                f"document.querySelectorAll('.msg.bot').length > {before_upload}"
            )
            assert "1" in (await page.locator(".msg.bot").last.inner_text())
            for answer in ["done", "Li Lei", "13812345678", "yes", "1"]:
                await say(page, answer)
            log = await page.locator("#log").inner_text()
            number = re.search(r"\b(\d{14})\b", log)
            assert number, log
            await say(page, "my complaints")
            assert number.group(1) in await page.locator("#log").inner_text()
            await page.screenshot(path=str(tmp_path / "chat.png"))
            # Another browser (its own cookies) starts afresh and sees none of it.
            stranger = await (await browser.new_context()).new_page()
            await stranger.goto(f"{base}/chat?lang=en&user=browser-1")
            await stranger.wait_for_function("document.querySelectorAll('.msg.bot').length > 0")
            assert number.group(1) not in await stranger.locator("#log").inner_text()
            assert "Suning" not in await stranger.locator("#log").inner_text()


async def test_text_typed_offline_is_kept_and_sent_when_back_online(
    settings: Settings, database: Database
) -> None:
    with serve_in_thread(create_app(settings)) as base:
        async with chromium() as browser:
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(f"{base}/chat?lang=en")
            await page.wait_for_function("document.querySelectorAll('.msg.bot').length > 0")
            bots = await page.locator(".msg.bot").count()
            await context.set_offline(True)
            await page.fill("#text", "help")
            await page.press("#text", "Enter")
            await page.locator(".msg.me.unsent").wait_for()
            assert await page.input_value("#text") == "help"
            assert await page.locator(".msg.bot").count() == bots
            await context.set_offline(False)
            await page.wait_for_function(
                "!document.querySelector('.msg.me.unsent')"
                f" && document.querySelectorAll('.msg.bot').length > {bots}",
                timeout=15_000,
            )
            assert await page.input_value("#text") == ""
    # Sent once (the greeting and "help"), however often the page retried.
    async with database.sessions() as session:
        handled = await session.scalar(select(func.count()).select_from(ProcessedMessage))
    assert handled == 2
