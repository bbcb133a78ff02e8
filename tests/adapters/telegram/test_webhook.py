"""The Telegram webhook end to end on SQLite and PostgreSQL, against the fake Bot API."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import httpx
from sqlalchemy import func, select

from bots.delivery import worker
from bots.services import Services
from bots.settings import Settings
from bots.web.app import create_app
from storage.db import Database
from storage.models import Complaint, ConversationRow, Evidence, Identity, ProcessedMessage
from tests.fakes.telegram_api import FakeTelegram

from . import updates
from .conftest import SECRET

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
UID = 4242
ANSWERS = [
    "/start",
    "1",
    "1",
    "1",
    "no",
    "Suning Electronics",
    "skip",
    "skip",
    "2026-11-18",
    "3999",
    "The fridge stopped cooling two days after delivery.",
    "1 3",
]


async def post(
    client: httpx.AsyncClient,
    update: dict[str, Any],
    secret: str | None = SECRET,
) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    return await client.post("/webhooks/telegram", json=update, headers=headers)


async def rows(services: Any) -> dict[str, int]:
    async with services.database.sessions() as session:
        return {
            m.__tablename__: int(await session.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Identity, ConversationRow, ProcessedMessage, Complaint, Evidence)
        }


async def file_complaint(client: httpx.AsyncClient, fake: FakeTelegram, uid: int) -> str:
    for text in ANSWERS:
        assert (await post(client, updates.text(uid, text))).status_code == 200
    assert (await post(client, updates.photo(uid, "PHOTO_L"))).status_code == 200
    await post(client, updates.text(uid, "done"))
    await post(client, updates.text(uid, "Li Lei"))
    asked = fake.calls_to("sendMessage")[-1].params
    assert asked["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    await post(client, updates.contact(uid, "+8613812345678"))
    await post(client, updates.text(uid, "yes"))
    summary = fake.calls_to("sendMessage")[-1].params
    confirm = summary["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert confirm.startswith("confirm|")
    assert (await post(client, updates.press(uid, confirm))).status_code == 200
    assert fake.calls_to("answerCallbackQuery")
    number = re.search(r"\b(\d{14})\b", " ".join(fake.sent_texts(uid)[-6:]))
    assert number, fake.sent_texts(uid)[-6:]
    return number.group(1)


async def test_a_complaint_with_a_photo_and_a_shared_number(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    number = await file_complaint(client, fake, UID)
    async with services.database.sessions() as session:
        complaint = (await session.scalars(select(Complaint))).one()
        item = (await session.scalars(select(Evidence))).one()
    assert complaint.number == number and complaint.platform == "telegram"
    assert services.cipher.decrypt(complaint.contact_phone_enc) == "+8613812345678"
    assert (item.platform_ref, item.fetch_status, item.complaint_id) == (
        "PHOTO_L",
        "pending",
        complaint.id,
    )
    fake.files["PHOTO_L"] = PNG
    assert await worker.fetch_due(services) == 1
    async with services.database.sessions() as session:
        item = (await session.scalars(select(Evidence))).one()
    assert (item.fetch_status, item.sha256) == ("stored", hashlib.sha256(PNG).hexdigest())
    await post(client, updates.text(UID, "/status"))
    assert number in " ".join(fake.sent_texts(UID)[-6:])


async def test_a_redelivered_update_changes_nothing(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    update = updates.text(UID, "hi")
    await post(client, update)
    before = await rows(services)
    sent = len(fake.calls_to("sendMessage"))
    assert (await post(client, update)).status_code == 200
    assert await rows(services) == before
    # The replies went out the first time: a redelivery sends nothing.
    assert len(fake.calls_to("sendMessage")) == sent


async def test_a_burst_from_one_user_is_applied_in_order(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    for text in ["hi", "1", "1", "1", "no", "Suning"]:
        await post(client, updates.text(UID, text))
    async with services.database.sessions() as session:
        conv = (await session.scalars(select(ConversationRow))).one()
    assert (conv.state, conv.version) == ("merchant_address", 6)


async def test_a_stale_button_gets_the_current_question(
    client: httpx.AsyncClient, fake: FakeTelegram
) -> None:
    for text in ["hi", "1"]:
        await post(client, updates.text(UID, text))
    await post(client, updates.press(UID, "menu|report"))
    assert "over" in " ".join(fake.sent_texts(UID)[-2:]).lower()


async def test_bad_requests_write_nothing(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    update = updates.text(UID, "hi")
    assert (await post(client, update, secret=None)).status_code == 403
    assert (await post(client, update, secret="wrong")).status_code == 403
    big = {"update_id": 1, "message": {"text": "x" * (1024 * 1024 + 10)}}
    assert (await post(client, big)).status_code == 413
    bad = await client.post(
        "/webhooks/telegram", content=b"{nope", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert bad.status_code == 400
    assert (await post(client, {"no": "update"})).status_code == 400
    assert (await post(client, updates.load("poll_answer"))).status_code == 200
    assert (await post(client, updates.load("edited_message"))).status_code == 200
    assert await rows(services) == dict.fromkeys(
        ("identities", "conversations", "processed_messages", "complaints", "evidence"), 0
    )
    assert fake.calls_to("sendMessage") == []


async def test_a_button_from_another_users_chat_changes_nothing(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    await post(client, updates.text(UID, "hi"))
    before = await rows(services)
    sent = len(fake.calls_to("sendMessage"))
    foreign = updates.press(UID, "menu|complaint")
    foreign["callback_query"]["message"]["chat"]["id"] = 999_999  # someone else's chat
    assert (await post(client, foreign)).status_code == 200
    assert await rows(services) == before
    assert len(fake.calls_to("sendMessage")) == sent
    assert fake.calls_to("answerCallbackQuery")


async def test_group_chats_get_a_polite_note(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    assert (await post(client, updates.load("group_message"))).status_code == 200
    assert "private" in fake.sent_texts(-100123)[0]
    assert (await rows(services))["identities"] == 0


async def test_replies_that_cannot_be_sent_make_telegram_redeliver(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    update = updates.text(UID, "hi")
    fake.fail("sendMessage", FakeTelegram.too_many(1))
    assert (await post(client, update)).status_code == 502
    assert (await rows(services))["processed_messages"] == 1
    assert (await post(client, update)).status_code == 200
    assert (await rows(services))["processed_messages"] == 1
    assert fake.sent_texts(UID)


async def test_the_channel_is_off_without_a_token(settings: Settings, database: Database) -> None:
    off = Services.build(settings.model_copy(update={"telegram_token": None}))
    assert "telegram" not in off.channels and "telegram" not in off.senders
    assert not [loop for channel in off.channels.values() for loop in channel.loops()]
    transport = httpx.ASGITransport(app=create_app(services=off))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            body = json.dumps(updates.text(1, "x"))
            assert (await http.post("/webhooks/telegram", content=body)).status_code == 404
    finally:
        await off.close()
