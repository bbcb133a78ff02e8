"""Neutral replies into ``sendMessage`` arguments. Pure: no I/O.

Choices become an inline keyboard whose callback data names the step it was sent for
(``<step>|<choice id>``), so a button pressed on an old message is recognised as stale.
Telegram limits callback data to 64 bytes and a message to 4,096 characters.
"""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from dialogs.replies import Reply

MAX_TEXT = 4096
MAX_CALLBACK = 64
SEPARATOR = "|"


def encode_callback(step: str | None, choice_id: str) -> str:
    """Callback data for a button; the step is dropped if both do not fit in 64 bytes."""
    data = f"{step or ''}{SEPARATOR}{choice_id}"
    if len(data.encode()) <= MAX_CALLBACK:
        return data
    # Without the step the press is still understood, only not checked for staleness.
    return f"{SEPARATOR}{choice_id}"[:MAX_CALLBACK]


def decode_callback(data: str) -> tuple[str | None, str]:
    """(step, choice id) from callback data; foreign data reads as a choice without step."""
    step, sep, choice = data.partition(SEPARATOR)
    if not sep:
        return None, data
    return (step or None), choice


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut text into messages of at most ``limit`` characters, at line breaks when possible."""
    text = text or " "
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def render(reply: Reply) -> list[dict[str, Any]]:
    """``sendMessage`` keyword arguments (without ``chat_id``) for one reply."""
    chunks = split_text(reply.text)
    markup: Any = None
    if reply.request_contact:
        markup = ReplyKeyboardMarkup(
            [[KeyboardButton(_contact_label(reply), request_contact=True)]],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
    elif reply.choices:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        c.label[:64], callback_data=encode_callback(reply.step, c.id)
                    )
                ]
                for c in reply.choices
            ]
        )
    messages = [{"text": chunk} for chunk in chunks]
    if markup is not None:
        messages[-1]["reply_markup"] = markup
    return messages


def _contact_label(reply: Reply) -> str:
    # The button label follows the reply's language: Chinese text gets a Chinese label.
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in reply.text)
    return "分享我的手机号" if chinese else "Share my number"
