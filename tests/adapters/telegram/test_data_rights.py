"""Export then delete from Telegram, end to end through the fake Bot API (both databases)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
from sqlalchemy import select

from bots.delivery import worker
from bots.delivery.background import privacy_upkeep_once
from storage import complaints
from storage.models import Complaint, ConversationRow
from tests.bots.privacy_scan import places_holding
from tests.fakes.telegram_api import FakeTelegram

from . import updates
from .test_webhook import PNG, UID, file_complaint, post


async def test_export_then_delete_from_telegram(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    number = await file_complaint(client, fake, UID)
    fake.files["PHOTO_L"] = PNG
    assert await worker.fetch_due(services) == 1

    assert (await post(client, updates.text(UID, "my data"))).status_code == 200
    [document] = fake.sent_documents(UID)
    assert document["filename"] == "my-data.json"
    exported = json.loads(document["bytes"])
    [case] = exported["complaints"]
    assert case["number"] == number and case["contact_phone"] == "+8613812345678"
    assert case["evidence"][0]["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert case["evidence"][0]["received_at"]
    assert [i["platform"] for i in exported["identities"]] == ["telegram"]
    assert "Complaints: 1" in " ".join(fake.sent_texts(UID)[-3:])

    await post(client, updates.text(UID, "delete my data"))
    asked = fake.calls_to("sendMessage")[-1].params
    buttons = [b["callback_data"] for row in asked["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["delete_confirm|yes", "delete_confirm|no"]
    await post(client, updates.press(UID, "delete_confirm|yes"))
    told = " ".join(fake.sent_texts(UID)[-4:])
    assert "Erased" in told and number in told and "statistics" in told

    async with services.database.sessions() as session:
        conv = (await session.scalars(select(ConversationRow))).one()
        complaint = (await session.scalars(select(Complaint))).one()
    draft = services.cipher.unseal(conv.answers)
    assert "draft" not in draft and "type" not in draft and conv.state == "menu"
    assert complaint.erase_on_close and complaint.contact_phone_enc is not None

    async with services.database.transaction() as session:
        locked = await session.get_one(Complaint, complaint.id, with_for_update=True)
        assert await complaints.withdraw(session=session, complaint=locked, now=services.now())
    await privacy_upkeep_once(services)
    assert not services.blobs.exists(hashlib.sha256(PNG).hexdigest())
    assert await places_holding(services, "13812345678", "Li Lei", "fridge stopped") == []

    # The export afterwards shows the anonymous record only.
    await post(client, updates.text(UID, "我的数据"))
    after = json.loads(fake.sent_documents(UID)[-1]["bytes"])
    assert after["complaints"][0]["contact_phone"] is None
    assert after["complaints"][0]["evidence"] == []
