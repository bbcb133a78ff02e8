"""Bot API updates as Telegram sends them (shapes from the Bot API documentation)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parents[2] / "data" / "telegram"
_ids = itertools.count(500_000_001)
DATE = 1763604000  # 2025-11-20, a plain UNIX time as Telegram sends it


def user(uid: int, lang: str = "en") -> dict[str, Any]:
    return {
        "id": uid,
        "is_bot": False,
        "first_name": "Li",
        "last_name": "Lei",
        "username": f"user{uid}",
        "language_code": lang,
    }


def _message(uid: int, lang: str, **content: Any) -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "message": {
            "message_id": next(_ids) % 100000,
            "from": user(uid, lang),
            "date": DATE,
            "chat": {"id": uid, "first_name": "Li", "type": "private"},
            **content,
        },
    }


def text(uid: int, body: str, lang: str = "en") -> dict[str, Any]:
    return _message(uid, lang, text=body)


def photo(uid: int, file_id: str, lang: str = "en") -> dict[str, Any]:
    sizes = [
        {
            "file_id": f"{file_id}-s",
            "file_unique_id": "s",
            "file_size": 1200,
            "width": 90,
            "height": 90,
        },
        {"file_id": file_id, "file_unique_id": "l", "file_size": 68, "width": 1280, "height": 960},
    ]
    return _message(uid, lang, photo=sizes)


def contact(uid: int, phone: str, owner: int | None = None) -> dict[str, Any]:
    return _message(
        uid,
        "en",
        contact={
            "phone_number": phone,
            "first_name": "Li",
            "last_name": "Lei",
            "user_id": owner or uid,
        },
    )


def press(uid: int, data: str, lang: str = "en") -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": user(uid, lang),
            "chat_instance": "-1",
            "data": data,
            "message": {
                "message_id": 7,
                "date": DATE,
                "from": {"id": 123456, "is_bot": True, "first_name": "Weiquan"},
                "chat": {"id": uid, "type": "private"},
                "text": "question",
            },
        },
    }


def load(name: str) -> dict[str, Any]:
    """A stored update from tests/data/telegram/, with a fresh update_id."""
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    data["update_id"] = next(_ids)
    return data
