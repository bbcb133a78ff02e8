"""Telegram updates to events and replies to sendMessage arguments (pure, table-driven)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardMarkup

from adapters.telegram import inbound
from adapters.telegram.outbound import decode_callback, encode_callback, render, split_text
from dialogs.events import (
    ChoicePressed,
    ContactShared,
    LocationMessage,
    MediaKind,
    MediaMessage,
    TextMessage,
)
from dialogs.replies import Choice, Reply

from .updates import load

BOT = Bot("123456:TEST-token")

CASES: list[tuple[str, type, dict[str, Any]]] = [
    ("text", TextMessage, {"text": "你好", "language_hint": "zh-CN", "user_id": "777001"}),
    ("command", TextMessage, {"text": "/start"}),
    ("callback_query", ChoicePressed, {"choice_id": "complaint", "step": "menu"}),
    (
        "photo",
        MediaMessage,
        {
            "kind": MediaKind.PHOTO,
            "platform_ref": "AgACAgUAAxkBAAIBlarge",
            "size": 84211,
            "caption": "收据",
        },
    ),
    (
        "document",
        MediaMessage,
        {"kind": MediaKind.DOCUMENT, "file_name": "invoice.pdf", "mime": "application/pdf"},
    ),
    ("voice", MediaMessage, {"kind": MediaKind.AUDIO, "mime": "audio/ogg"}),
    ("contact", ContactShared, {"phone": "8613812345678", "is_own": True}),
    ("contact_other", ContactShared, {"is_own": False}),
    ("location", LocationMessage, {"latitude": 31.2304, "longitude": 121.4737}),
]


@pytest.mark.parametrize(("name", "kind", "expected"), CASES, ids=[c[0] for c in CASES])
def test_update_becomes_event(name: str, kind: type, expected: dict[str, Any]) -> None:
    data = load(name)
    _, event = inbound.parse(data, BOT)
    assert type(event) is kind
    assert event.message_id == f"tg:{data['update_id']}"  # type: ignore[union-attr]
    for attr, value in expected.items():
        assert getattr(event, attr) == value, attr


@pytest.mark.parametrize(
    ("name", "reply_to"),
    [
        ("edited_message", None),
        ("group_message", -100123),
        ("poll_answer", None),
    ],
)
def test_updates_that_are_not_dialog_steps(name: str, reply_to: int | None) -> None:
    _, event = inbound.parse(load(name), BOT)
    assert isinstance(event, inbound.Ignored)
    assert event.reply_to == reply_to


@pytest.mark.parametrize("bad", [{}, {"update_id": "x"}, [], "update", {"message": {}}])
def test_non_updates_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError):
        inbound.parse(bad, BOT)


def test_callback_data_fits_telegrams_64_bytes() -> None:
    assert decode_callback(encode_callback("category", "appliances")) == ("category", "appliances")
    long = encode_callback("s" * 40, "c" * 40)
    assert len(long.encode()) <= 64 and decode_callback(long) == (None, "c" * 40)
    assert decode_callback("foreign-data") == (None, "foreign-data")


def test_choices_become_an_inline_keyboard_bound_to_the_step() -> None:
    [message] = render(Reply("Pick one", (Choice("a", "Alpha"), Choice("b", "Beta")), step="menu"))
    markup = message["reply_markup"]
    assert isinstance(markup, InlineKeyboardMarkup)
    assert [row[0].callback_data for row in markup.inline_keyboard] == ["menu|a", "menu|b"]


def test_the_phone_step_offers_a_share_my_number_button() -> None:
    [message] = render(Reply("What is your mobile number?", request_contact=True))
    markup = message["reply_markup"]
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert markup.keyboard[0][0].request_contact


def test_long_text_is_split_at_4096_characters() -> None:
    parts = split_text(("line\n" * 2000).strip())
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    messages = render(Reply("x" * 9000, (Choice("a", "A"),)))
    assert len(messages) == 3 and "reply_markup" in messages[-1]
    assert "reply_markup" not in messages[0]
