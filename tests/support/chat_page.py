"""Driving the web chat page in a browser: typing, waiting for answers, axe, screenshots."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page

#: axe-core 4.10.3 (MPL-2.0, tests/data/axe/LICENSE), a test-only asset: the page never
#: loads it; the tests inject it to check the page as a screen-reader user meets it.
AXE = Path(__file__).parent.parent / "data" / "axe" / "axe.min.js"
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}


@asynccontextmanager
async def chat_page(
    browser: Browser, shots: Path, name: str, **context: Any
) -> AsyncIterator[tuple[BrowserContext, Page]]:
    """A new browser context and page; a screenshot ``shots/name-failed.png`` on failure."""
    ctx = await browser.new_context(**context)
    page = await ctx.new_page()
    try:
        yield ctx, page
    except BaseException:
        await page.screenshot(path=str(shots / f"{name}-failed.png"), full_page=True)
        raise
    finally:
        await ctx.close()


async def open_chat(page: Page, url: str) -> None:
    """Load the page and wait until it showed its history or opening words."""
    await page.goto(url)
    await page.wait_for_selector("body[data-ready='1']")
    await page.wait_for_function("document.querySelectorAll('.msg.bot').length > 0")


async def bot_count(page: Page) -> int:
    return await page.locator(".msg.bot").count()


async def wait_for_more(page: Page, before: int) -> None:
    """Wait until the bot said more than ``before`` messages and nothing is pending."""
    await page.wait_for_function(
        f"document.querySelectorAll('.msg.bot').length > {before}"
        " && !document.querySelector('.msg.me.pending')",
        timeout=15_000,
    )


async def say(page: Page, text: str) -> None:
    """Type ``text`` and press Enter; wait for the answer."""
    before = await bot_count(page)
    await page.fill("#text", text)
    await page.press("#text", "Enter")
    await wait_for_more(page, before)


async def press(page: Page, label: str) -> None:
    """Press the live choice button labelled ``label``; wait for the answer."""
    before = await bot_count(page)
    await page.locator(".choices button:not([disabled])", has_text=label).last.click()
    await wait_for_more(page, before)


async def choose(page: Page, choice: str) -> None:
    """Press the live choice button whose id is ``choice``; wait for the answer."""
    before = await bot_count(page)
    await page.locator(f".choices button[data-choice='{choice}']:not([disabled])").last.click()
    await wait_for_more(page, before)


async def bot_texts(page: Page) -> list[str]:
    return [text.strip() for text in await page.locator(".msg.bot .bubble").all_inner_texts()]


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's critical and serious findings on the page as it is now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate("axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
    ]
