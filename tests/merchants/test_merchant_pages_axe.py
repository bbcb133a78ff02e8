"""Every merchant page in headless Chromium at desktop and phone sizes: no critical or
serious axe-core finding, no horizontal scroll at 390 px, and refusals and errors as
pages in the desk's language (not ``{"detail"}``)."""

from __future__ import annotations

from playwright.async_api import Browser, Page

from bots.settings import Settings
from bots.web.app import create_app
from storage.db import Database
from tests.merchants.test_merchant_browser import _forward, _setup
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


async def _signed_in(browser: Browser, base: str, lang: str, size: dict[str, int]) -> Page:
    page = await browser.new_page(viewport=size)  # type: ignore[arg-type]
    await page.goto(f"{base}/merchant/login?lang={lang}")
    assert await axe_problems(page) == [], "login"
    await page.fill("input[name=username]", "suning")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form.login button[type=submit]")
    await page.wait_for_url("**/merchant/complaints")
    return page


async def _clean(page: Page, what: str, size: dict[str, int]) -> None:
    assert await axe_problems(page) == [], what
    if size is PHONE:
        assert await scroll_width(page) <= PHONE["width"], what


async def test_every_merchant_page_passes_axe_at_desktop_and_phone_sizes(
    settings: Settings, database: Database
) -> None:
    mine, other = await _setup(database)
    with serve_in_thread(create_app(settings)) as base:
        async with WebConsumer.at(base) as alice, WebConsumer.at(base) as bob:
            ours = await file_by_chat(alice, photo=True)
            theirs = await file_by_chat(bob)
            await _forward(base, ours, mine)
            await _forward(base, theirs, other)
        async with chromium() as browser:
            for lang, size in (("zh-CN", DESKTOP), ("en", PHONE), ("zh-CN", PHONE)):
                name = f"merchant-axe-{lang}-{size['width']}"
                page = await _signed_in(browser, base, lang, size)
                async with shots_on_failure(page, name):
                    await _clean(page, "list", size)
                    await page.goto(f"{base}/merchant/complaints/{ours}")
                    await _clean(page, "case", size)

                    # A refused offer: the case page again, with the reason in its language.
                    await page.select_option("#offer-form select[name=kind]", "refund")
                    await page.fill("#offer-form input[name=amount]", "-5")
                    await page.fill("#offer-form textarea[name=text]", "x")
                    await page.click("#offer-form button[type=submit]")
                    refusal = page.locator("p.error")
                    await refusal.wait_for()
                    await _clean(page, "refused offer", size)
                    if lang == "zh-CN":
                        assert not any(c.isascii() and c.isalpha() for c in (
                            await refusal.inner_text()
                        )), await refusal.inner_text()  # fmt: skip

                    # Another merchant's case, a page that does not exist, a bad form.
                    for path, code in ((f"/merchant/complaints/{theirs}", 404),
                                       ("/merchant/nowhere", 404)):  # fmt: skip
                        answer = await page.goto(base + path)
                        assert answer is not None and answer.status == code, path
                        assert "detail" not in await page.content()
                        await _clean(page, path, size)

                    await page.goto(f"{base}/merchant/complaints/{ours}")
                    await page.evaluate(
                        "() => document.querySelector('#reply-form textarea')"
                        ".setAttribute('maxlength', '99999')"
                    )
                    await page.fill("#reply-form textarea[name=text]", "很长" * 1500)
                    await page.click("#reply-form button[type=submit]")
                    await page.wait_for_load_state()
                    error = page.locator("p.error")
                    await error.wait_for()
                    await _clean(page, "too long", size)
                await page.close()
