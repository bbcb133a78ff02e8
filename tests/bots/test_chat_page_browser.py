"""The web chat page in a real headless Chromium, at phone and desktop sizes.

Screenshots of a failing test are kept under its pytest tmp dir (``*-failed.png``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.async_api import Page, Route
from sqlalchemy import func, select

from bots.settings import Settings
from bots.web.app import create_app
from dialogs.replies import Reply
from storage import outbox
from storage.db import Database
from storage.models import Complaint, Evidence, Identity, ProcessedMessage
from tests.support.browser import chromium
from tests.support.chat_page import (
    DESKTOP,
    PHONE,
    bot_count,
    bot_texts,
    chat_page,
    choose,
    open_chat,
    press,
    say,
    serious_violations,
    wait_for_more,
)
from tests.support.server import serve_in_thread
from tests.support.web_consumer import PNG


def photos(folder: Path, count: int) -> list[str]:
    """``count`` different PNG files (distinct bytes after the image end)."""
    paths = []
    for n in range(count):
        path = folder / f"photo-{n + 1}.png"
        path.write_bytes(PNG + bytes([n]) * 16)
        paths.append(str(path))
    return paths


async def count(database: Database, model: type) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_phone_consumer_files_a_complaint_with_three_photos_and_a_reload(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    files = photos(tmp_path, 4)
    yesterday = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)).date()
    with serve_in_thread(create_app(settings)) as base:
        async with chromium() as browser, chat_page(browser, tmp_path, "phone", **PHONE) as (
            _,
            page,
        ):
            # An id in the URL names nobody: the server's cookie does.
            await open_chat(page, f"{base}/chat?lang=en&user=browser-1")
            # The greeting comes from the server; the page sent nothing by itself.
            assert "Weiquan" in (await bot_texts(page))[0]
            assert await count(database, ProcessedMessage) == 0
            await press(page, "File a complaint")
            assert (await page.locator("#progress-text").inner_text()).startswith("Step 1 of ")
            await press(page, "Household appliances")
            await page.locator(".choices button:not([disabled])").first.click()
            await wait_for_more(page, 3)
            await press(page, "No")
            # Midway, the page is reloaded: the conversation comes back and goes on.
            before = await bot_texts(page)
            await page.reload()
            await page.wait_for_selector("body[data-ready='1']")
            assert await bot_texts(page) == before[2:]  # all but the opening words (unsent)
            # At a question without buttons: no earlier button is left live.
            assert await page.locator(".choices button:not([disabled])").count() == 0
            await say(page, "Suning Electronics")
            before = await bot_texts(page)
            await page.reload()
            await page.wait_for_selector("body[data-ready='1']")
            assert await bot_texts(page) == before
            assert await page.locator("#progress-text").inner_text() == "Step 5 of 14"
            await press(page, "Skip")
            await press(page, "Skip")
            # Dates: a date picker as well as text.
            assert await page.locator("#date").is_visible()
            n = await bot_count(page)
            await page.fill("#date", yesterday.isoformat())
            await wait_for_more(page, n)
            assert await page.get_attribute("#text", "inputmode") == "decimal"
            await say(page, "3999")
            # The description: a text area with flow.yaml's limit and a counter.
            assert await page.get_attribute("#text", "maxlength") == "2000"
            await page.fill("#text", "The fridge stopped")
            await page.dispatch_event("#text", "input")
            assert "18 / 2000" in await page.locator("#counter").inner_text()
            await say(page, "The fridge stopped cooling two days after delivery.")
            # Demands: several at once, with checkboxes and a confirm button.
            await page.get_by_label("Refund").check()
            await page.get_by_label("Compensation").check()
            n = await bot_count(page)
            await page.get_by_role("button", name="Confirm").click()
            await wait_for_more(page, n)
            assert "Refund, Compensation" in await page.locator(".msg.me").last.inner_text()
            # Evidence: four photos queued, one removed, three uploaded with progress.
            await page.set_input_files("#file", files)
            assert await page.locator("#tray-files li").count() == 4
            await page.get_by_role("button", name="Remove photo-4.png").click()
            assert await page.locator("#tray-files li").count() == 3
            n = await bot_count(page)
            await page.get_by_role("button", name="Upload 3 files").click()
            await page.wait_for_function(
                f"document.querySelectorAll('.msg.bot').length >= {n + 3}"
                " && document.getElementById('tray').hidden"
            )
            assert await page.locator(".msg.me img.thumb").count() == 3
            assert "3" in await page.locator(".msg.bot").last.inner_text()
            await page.screenshot(path=str(tmp_path / "phone-evidence.png"), full_page=True)
            # Reloaded again after the uploads: "Done" is there to press.
            await page.reload()
            await page.wait_for_selector("body[data-ready='1']")
            await press(page, "Done")
            await say(page, "Li Lei")
            assert await page.get_attribute("#text", "inputmode") == "tel"
            await say(page, "13812345678")
            await press(page, "Yes")
            await press(page, "Submit")
            log = await page.locator("#log").inner_text()
            number = re.search(r"\b(\d{14})\b", log)
            assert number, log
            await page.screenshot(path=str(tmp_path / "phone-filed.png"), full_page=True)
        # Another browser (its own cookies) starts afresh and sees none of it.
        async with chromium() as browser, chat_page(browser, tmp_path, "stranger") as (_, other):
            await open_chat(other, f"{base}/chat?lang=en&user=browser-1")
            text = await other.locator("#log").inner_text()
            assert number.group(1) not in text and "Suning" not in text
    assert await count(database, Complaint) == 1
    assert await count(database, Evidence) == 3


async def test_a_send_cut_off_after_the_server_answered_is_retried_once(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    cut: list[str] = []

    async def lose_the_answer(route: Route) -> None:
        # The server handles the message, then the connection drops before the answer.
        if route.request.method == "POST" and not cut:
            cut.append(route.request.post_data or "")
            await route.fetch()
            await route.abort("connectionreset")
            return
        await route.continue_()

    with serve_in_thread(create_app(settings)) as base:
        async with chromium() as browser, chat_page(browser, tmp_path, "retry", **DESKTOP) as (
            _,
            page,
        ):
            await page.route("**/chat/messages", lose_the_answer)
            await open_chat(page, f"{base}/chat?lang=en")
            opening = len(await bot_texts(page))
            await say(page, "help")
            assert cut and '"message_id"' in cut[0]
            assert await page.locator(".msg.me.unsent, .msg.me.pending").count() == 0
            # The answer to "help" shown once: the retry got the stored replies.
            answer = (await bot_texts(page))[opening:]
            assert answer and len(answer) == len(set(answer))
    assert await count(database, ProcessedMessage) == 1


async def test_text_typed_offline_is_kept_marked_failed_and_sent_when_back_online(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    with serve_in_thread(create_app(settings)) as base:
        async with chromium() as browser, chat_page(browser, tmp_path, "offline") as (
            context,
            page,
        ):
            await open_chat(page, f"{base}/chat?lang=zh-CN")
            bots = await bot_count(page)
            await context.set_offline(True)
            await page.fill("#text", "帮助")
            await page.press("#text", "Enter")
            await page.locator(".msg.me.unsent").wait_for()
            # Marked failed, with a retry button in the page's language.
            assert await page.locator(".msg.me.unsent button.retry").inner_text() == "重试"
            assert await page.input_value("#text") == "帮助"
            assert await bot_count(page) == bots
            await context.set_offline(False)
            await page.wait_for_function(
                "!document.querySelector('.msg.me.unsent')"
                f" && document.querySelectorAll('.msg.bot').length > {bots}",
                timeout=15_000,
            )
            assert await page.input_value("#text") == ""
    # Sent once however often the page retried; nothing was sent for the greeting.
    assert await count(database, ProcessedMessage) == 1


async def focused(page: Page) -> str:
    return str(
        await page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e.id || e.dataset.choice || e.textContent.trim(); })()"
        )
    )


async def tab_until(page: Page, wanted: str, limit: int = 40) -> None:
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await focused(page) == wanted:
            return
    raise AssertionError(f"Tab never reached {wanted}")


async def test_the_whole_chat_works_from_the_keyboard_with_visible_focus(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    with serve_in_thread(create_app(settings)) as base:
        async with chromium() as browser, chat_page(browser, tmp_path, "keys", **DESKTOP) as (
            _,
            page,
        ):
            # Subscribed early: Playwright turns file-chooser interception on without
            # waiting, and a busy machine would otherwise open the chooser before it.
            page.on("filechooser", lambda _: None)
            await open_chat(page, f"{base}/chat?lang=en")
            # The first Tab shows the skip link; Enter on it lands in the message box.
            await page.keyboard.press("Tab")
            assert await focused(page) == "skip"
            assert await page.locator("#skip").is_visible()
            await page.keyboard.press("Enter")
            assert await focused(page) == "text"
            # Tab reaches the choices, the attach button and send; Enter presses them.
            await tab_until(page, "complaint")
            outline = await page.evaluate(
                "getComputedStyle(document.activeElement).outlineStyle"
            )
            assert outline not in ("none", "")
            n = await bot_count(page)
            await page.keyboard.press("Enter")
            await wait_for_more(page, n)
            await tab_until(page, "attach")
            async with page.expect_file_chooser() as chooser:
                await page.keyboard.press("Enter")
            await (await chooser.value).set_files(photos(tmp_path, 1))
            assert await page.locator("#tray-files li").count() == 1
            await page.keyboard.press("Shift+Tab")  # from the upload button to the remove one
            assert (await focused(page)) == "×"
            await page.keyboard.press("Enter")
            assert await page.locator("#tray").is_hidden()
            assert await focused(page) == "attach"
            await tab_until(page, "text")
            await page.keyboard.type("help")
            await tab_until(page, "send")
            n = await bot_count(page)
            await page.keyboard.press("Enter")
            await wait_for_more(page, n)


async def test_the_page_follows_a_language_switch_and_labels_staff_messages(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    with serve_in_thread(create_app(settings)) as base:
        async with chromium() as browser, chat_page(browser, tmp_path, "lang", **PHONE) as (
            _,
            page,
        ):
            await open_chat(page, f"{base}/chat?lang=en")
            assert await page.inner_text("#send") == "Send"
            await say(page, "中文")  # a switch made in the chat, not with the page's button
            assert await page.evaluate("document.documentElement.lang") == "zh-CN"
            assert await page.inner_text("#send") == "发送"
            assert await page.get_attribute("#text", "placeholder") == "输入消息…"
            async with database.transaction() as session:
                identity = (await session.scalars(select(Identity))).one()
                await outbox.enqueue(
                    session=session,
                    identity=identity,
                    replies=[Reply("请补充购买凭证。")],
                    now=datetime.now(UTC),
                    kind="message",
                )
            # The page's poll brings it, labelled as the staff's words.
            staff = page.locator(".msg.staff")
            await staff.wait_for(timeout=12_000)
            assert await staff.locator(".who").inner_text() == "工作人员"
            assert "请补充购买凭证。" in await staff.inner_text()


async def test_no_serious_accessibility_violation_at_phone_and_desktop_sizes(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    with serve_in_thread(create_app(settings)) as base:
        async with chromium() as browser:
            for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
                async with chat_page(browser, tmp_path, f"axe-{name}", **size) as (_, page):
                    await open_chat(page, f"{base}/chat?lang=zh-CN")
                    assert await serious_violations(page) == []
                    await choose(page, "complaint")
                    assert (await page.inner_text("#progress-text")).startswith("第 1 步，共 ")
                    await choose(page, "appliances")
                    # The multi-select, the text area and the tray, each checked too.
                    await page.locator(".choices button:not([disabled])").first.click()
                    await wait_for_more(page, 3)
                    for answer in ["否", "苏宁电器", "跳过", "跳过", "昨天", "3999"]:
                        await say(page, answer)
                    assert await serious_violations(page) == []
                    await say(page, "冰箱送货两天后就不制冷了。")
                    await page.get_by_label("退款").check()
                    assert await serious_violations(page) == []
                    await page.get_by_role("button", name="确定").click()
                    await wait_for_more(page, 10)
                    await page.set_input_files("#file", photos(tmp_path, 2))
                    assert await serious_violations(page) == []
                    await page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
                    # The check can fail: a button without a name is found at once.
                    await page.evaluate(
                        "document.getElementById('log').append(document.createElement('button'))"
                    )
                    found = await serious_violations(page)
                    assert [v["id"] for v in found] == ["button-name"]
