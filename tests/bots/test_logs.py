"""Log lines are JSON with personal data masked and no secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bots.ops.logs import JsonFormatter, configure, mask_text
from storage.crypto import mask_phone
from tests.fakes.telegram_api import FakeTelegram, running_fake


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call 13812345678 now", "call +86 138****5678 now"),
        ("+86 13812345678", "+86 138****5678"),
        ("US number +1 415-555-2671, thanks", "US number +1 415***2671, thanks"),
        ("ring +44 20 7946 0958 after six", "ring +44 207***0958 after six"),
        ("whatsapp +44 7911 123456", "whatsapp +44 791***3456"),
    ],
)
def test_phone_numbers_of_every_country_are_masked_in_free_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_logs_and_staff_lists_mask_a_number_the_same_way() -> None:
    for number in ("+14155552671", "+442079460958", "13812345678"):
        assert mask_text(number) == mask_phone(number)


@pytest.mark.parametrize(
    "text",
    [
        "order 2026112000000123",
        "complaint 20261120000001",
        "at 2026-12-01T09:42:20.123+00:00 from 127.0.0.1:8000",
        "took 1764582140.123456 s, pid 1234567",
    ],
)
def test_numbers_that_are_not_phones_stay(text: str) -> None:
    assert mask_text(text) == text


def test_a_record_is_one_json_line_with_personal_fields_masked() -> None:
    record = logging.LogRecord(
        "weiquan.test", logging.INFO, __file__, 1, "filed for %s", ("13912345678",), None
    )
    record.contact_name = "张三"
    record.number = "20261120000001"
    record.caller = "+1 415 555 2671"
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "filed for +86 139****5678"
    assert line["contact_name"] == "***"
    assert line["number"] == "20261120000001"
    assert line["caller"] == "+1 415***2671"
    assert line["level"] == "info"


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake() as server:
        yield server


@pytest.fixture
def httpx_lines() -> Iterator[_Lines]:
    """What httpx logs, formatted as our log lines (httpx's level as configured)."""
    handler = _Lines()
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("httpx").level
    yield handler
    logging.getLogger("httpx").removeHandler(handler)
    root.handlers[:], root.level = saved[0], saved[1]
    logging.getLogger("httpx").setLevel(saved[2])


async def _get_me(fake: FakeTelegram) -> None:
    bot = Bot(fake.token, base_url=f"{fake.base_url}/bot", request=HTTPXRequest())
    async with bot:
        await bot.get_me()


async def test_the_bot_token_never_reaches_a_log_line(
    fake: FakeTelegram, httpx_lines: _Lines
) -> None:
    logging.getLogger("httpx").setLevel(logging.INFO)  # as with WEIQUAN_LOG_LEVEL=DEBUG
    logging.getLogger("httpx").addHandler(httpx_lines)
    await _get_me(fake)
    requests = [line for line in httpx_lines.lines if "getMe" in line]
    assert requests, httpx_lines.lines  # httpx did log the request URL…
    assert all(fake.token not in line for line in requests)  # …without the token
    assert "/bot<token>/getMe" in requests[0]


async def test_httpx_request_lines_are_not_logged_at_info(
    fake: FakeTelegram, httpx_lines: _Lines
) -> None:
    configure("INFO")
    logging.getLogger("httpx").addHandler(httpx_lines)
    await _get_me(fake)
    assert httpx_lines.lines == []
