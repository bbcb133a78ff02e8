"""Service messages in a private chat get no reply and leave the dialog where it was."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from storage.models import ConversationRow
from tests.fakes.telegram_api import FakeTelegram

from . import updates
from .conftest import SECRET

UID = 5151
SERVICE: dict[str, Any] = {
    "pinned_message": {"message_id": 7, "date": updates.DATE,
                       "chat": {"id": UID, "type": "private"}, "text": "pinned"},
    "message_auto_delete_timer_changed": {"message_auto_delete_time": 86400},
    "chat_background_set": {"type": {"type": "fill", "fill": {"type": "solid", "color": 0},
                                     "dark_theme_dimming": 0}},
    "gift": {"gift": {"id": "g1", "sticker": {"file_id": "s", "file_unique_id": "s",
                                              "width": 1, "height": 1, "is_animated": False,
                                              "is_video": False, "type": "regular"},
                      "star_count": 10}},
    "connected_website": "example.com",
    "write_access_allowed": {"from_request": True},
    "users_shared": {"request_id": 1, "users": [{"user_id": 9}]},
    # A kind newer than the library: it arrives only as an unknown field.
    "some_future_service_event": {"anything": 1},
}


def service_update(field: str, value: Any) -> dict[str, Any]:
    update = updates.text(UID, "x")
    del update["message"]["text"]
    update["message"][field] = value
    return update


async def post(client: httpx.AsyncClient, update: dict[str, Any]) -> httpx.Response:
    return await client.post("/webhooks/telegram", json=update,
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})


async def conversation(services: Any) -> tuple[str, int]:
    async with services.database.sessions() as session:
        conv = (await session.scalars(select(ConversationRow))).one()
    return conv.state, conv.version


@pytest.mark.parametrize("field", sorted(SERVICE))
async def test_service_messages_are_silent_and_change_nothing(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram, field: str
) -> None:
    for text in ["hi", "1", "1", "1"]:
        assert (await post(client, updates.text(UID, text))).status_code == 200
    before, sent = await conversation(services), len(fake.sent_texts())
    assert before[0] == "handled_elsewhere"
    assert (await post(client, service_update(field, SERVICE[field]))).status_code == 200
    assert len(fake.sent_texts()) == sent
    assert await conversation(services) == before


async def test_a_sticker_still_gets_a_polite_answer(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    sticker = {"file_id": "st", "file_unique_id": "st", "width": 1, "height": 1,
               "is_animated": False, "is_video": False, "type": "regular"}
    await post(client, service_update("sticker", sticker))
    assert any("text and photos" in text for text in fake.sent_texts())
