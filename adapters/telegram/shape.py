"""Type checks on a Telegram update before python-telegram-bot reads it. Pure.

python-telegram-bot builds its objects without checking types: ``"text": 123`` becomes
a message whose text is an int, ``"date": 1e20`` overflows the datetime conversion, and
a 4,000-digit ``update_id`` makes a dedupe key longer than its column. None of these
come from Telegram; they are refused (400) before anything is parsed or written.
"""

from __future__ import annotations

import math
from typing import Any

# Telegram's identifiers fit in 64 bits (chat ids use at most 52).
INT_LIMIT = 2**63
# Unix times up to the year 2106, as Telegram's 32-bit unsigned dates.
DATE_LIMIT = 2**32
DATE_KEYS = frozenset({"date", "edit_date", "forward_date"})
STRING_KEYS = frozenset({
    "text", "caption", "file_name", "mime_type", "first_name", "last_name",
    "username", "phone_number", "address", "title", "file_id", "file_unique_id",
    "language_code",
})  # fmt: skip
NUMBER_KEYS = frozenset({"latitude", "longitude", "file_size"})
# Users and chats: their ``id`` becomes the consumer's external id.
PARTY_KEYS = frozenset({"chat", "from", "user", "sender_chat"})
MAX_DEPTH = 64


class BadShape(ValueError):
    """The JSON cannot be a Telegram update."""


def check(data: Any) -> None:
    """Refuse values no Telegram update holds: huge or non-finite numbers, wrong types.

    Raises:
        BadShape: naming the first offending key.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadShape("nested too deep")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_key(key, item)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        else:
            _check_scalar(value)


def _check_scalar(value: Any) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not -INT_LIMIT <= value < INT_LIMIT:
        raise BadShape("number out of range")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadShape("number out of range")


def _check_key(key: str, item: Any) -> None:
    if key in DATE_KEYS and (
        isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < DATE_LIMIT
    ):
        raise BadShape(f"{key} is not a Unix time")
    if key in STRING_KEYS and not isinstance(item, str):
        raise BadShape(f"{key} is not a string")
    if key in NUMBER_KEYS and (isinstance(item, bool) or not isinstance(item, int | float)):
        raise BadShape(f"{key} is not a number")
    if key in PARTY_KEYS and isinstance(item, dict) and "id" in item:
        party = item["id"]
        if isinstance(party, bool) or not isinstance(party, int):
            raise BadShape(f"{key}.id is not an integer")
