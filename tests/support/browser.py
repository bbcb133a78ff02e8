"""Headless Debian Chromium driven by Playwright (never Playwright's own browser download)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium keeps calling home and this machine has no network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:  # fail, not skip: the browser tests are part of the suite
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    return path


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium for one test."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


AXE = Path(__file__).parent.parent / "data" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0
SHOTS = Path(__file__).parent.parent.parent / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


async def axe_problems(page: Page) -> list[str]:
    """Critical and serious axe-core findings on the page, as ``rule: selector`` lines."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = await page.evaluate("async () => await window.axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {node['target']}"
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
        for node in v["nodes"][:3]
    ]


async def scroll_width(page: Page) -> int:
    return int(await page.evaluate("() => document.scrollingElement.scrollWidth"))


@asynccontextmanager
async def shots_on_failure(page: Page, name: str) -> AsyncIterator[Page]:
    """Keep a full-page screenshot under var/screenshots/ when the block fails."""
    try:
        yield page
    except BaseException:
        SHOTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        raise
