"""Every place that reads a language tag reads it the one way (``Language.parse``).

A platform's hint, a page's ``?lang=``, its cookie, the web chat's ``lang``: ``fr`` is
the deployment's language (zh-CN here) everywhere, ``en-GB`` is English, ``zh-TW`` is
Chinese. Before, the engine and the web chat took any tag that was not Chinese for
English, and the pages took nothing but the exact values.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import count

import httpx
import pytest
from sqlalchemy import select

from adapters.telegram.inbound import language_hint
from bots.services import Services
from dialogs.events import TextMessage
from dialogs.vocabulary import Platform
from storage.models import Identity
from tests.support.web_consumer import WebConsumer

READS = [("fr", "zh-CN"), ("en-GB", "en"), ("en_US", "en"), ("zh-TW", "zh-CN"), ("", "zh-CN")]
_ids = count(1)
EXE = b"MZ" + b"\x00" * 200  # not a type kept as evidence


def _html_lang(page: httpx.Response) -> str:
    found = re.search(r'<html lang="([^"]*)"', page.text)
    assert found, page.text[:200]
    return found.group(1)


@pytest.mark.parametrize(("tag", "language"), READS)
async def test_the_engine_reads_a_platforms_hint(
    services: Services, tag: str, language: str
) -> None:
    user = f"reader-{next(_ids)}"
    event = TextMessage(
        platform=Platform.WEB, user_id=user, message_id="m1",
        received_at=datetime.now(UTC), language_hint=tag or None, text="hi",
    )  # fmt: skip
    assert services.engine.language_of(event) == language
    replies = await services.engine.handle(event)
    async with services.database.sessions() as session:
        identity = (await session.scalars(select(Identity).where(Identity.external_id == user)))
        stored = identity.one().language
    assert stored == language
    chinese = any(re.search(r"[\u4e00-\u9fff]", r.text) for r in replies)
    assert chinese == (language == "zh-CN")


@pytest.mark.parametrize(("tag", "language"), READS)
def test_telegrams_language_code_is_a_hint_only_when_it_is_ours(tag: str, language: str) -> None:
    hint = language_hint(tag or None)
    assert hint == (None if tag in ("fr", "") else language)


@pytest.mark.parametrize(("tag", "language"), READS)
@pytest.mark.parametrize("page", ["/console/no-such-page", "/merchant/no-such-page"])
async def test_error_pages_read_lang(
    client: httpx.AsyncClient, page: str, tag: str, language: str
) -> None:
    answer = await client.get(page, params={"lang": tag})
    assert answer.status_code == 404
    assert _html_lang(answer) == language


@pytest.mark.parametrize(("tag", "language"), READS)
@pytest.mark.parametrize(
    ("page", "cookie"),
    [("/console/login", "weiquan_console_lang"), ("/merchant/login", "weiquan_merchant_lang")],
)
async def test_pages_read_lang_and_remember_only_ours(
    client: httpx.AsyncClient, page: str, cookie: str, tag: str, language: str
) -> None:
    client.cookies.clear()
    answer = await client.get(page, params={"lang": tag})
    assert answer.status_code == 200
    assert _html_lang(answer) == language
    assert answer.cookies.get(cookie) == (None if tag in ("fr", "") else language)
    # The cookie is read the same way as the query.
    client.cookies.clear()
    if tag:
        client.cookies.set(cookie, tag)
    assert _html_lang(await client.get(page)) == language


@pytest.mark.parametrize(("tag", "language"), READS)
async def test_the_web_chat_reads_the_pages_lang(
    client: httpx.AsyncClient, tag: str, language: str
) -> None:
    # A new browser's refused upload is answered in the language its page sent.
    async with WebConsumer.beside(client, lang=tag) as browser:
        [refusal] = await browser.upload(EXE, "tool.exe", "application/octet-stream")
    expected = {
        "zh-CN": "这种文件不能作为证据，请发送照片、文件、录音或视频。",
        "en": "That kind of file cannot be used as evidence. "
        "Please send photos, documents, audio or video.",
    }
    assert refusal["text"] == expected[language]
