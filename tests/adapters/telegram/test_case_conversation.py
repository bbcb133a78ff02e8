"""A Telegram consumer and the desk talk on a case, end to end (real PTB, fake Bot API).

Runs on SQLite and PostgreSQL: staff write through the API, the worker delivers the
notice to the fake Bot API, the consumer answers with ordinary updates.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bots.delivery import worker
from storage.models import CaseMessage, CaseRequest, Evidence
from tests.fakes.telegram_api import FakeTelegram
from tests.staff.helpers import sign_in

from . import updates
from .test_webhook import file_complaint, post

UID = 5151
OTHER = 6262
ANSWER = "The receipt is lost, but I have the bank statement from 18 Nov."


async def test_a_telegram_consumer_answers_a_staff_question(
    client: httpx.AsyncClient,
    services: Any,
    fake: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    number = await file_complaint(client, fake, UID)
    agent = await sign_in(client, services, "agent")
    asked = await client.post(
        f"/api/v1/complaints/{number}/messages", headers=agent,
        json={"text": "Do you still have the receipt?"},
    )  # fmt: skip
    assert asked.status_code == 202
    await worker.deliver_due(services)
    notice = fake.sent_texts(UID)[-1]
    assert "Do you still have the receipt?" in notice and "reply" in notice

    assert (await post(client, updates.text(UID, ANSWER))).status_code == 200
    said = fake.sent_texts(UID)[-2:]
    assert f"Sent to the handler of complaint {number}." in said
    menu = fake.calls_to("sendMessage")[-1].params["reply_markup"]["inline_keyboard"]
    assert menu[0][0]["callback_data"] == "menu|complaint"

    detail = (await client.get(f"/api/v1/complaints/{number}", headers=agent)).json()
    mine = [e for e in detail["timeline"] if e["kind"] == "consumer_message"]
    assert [(e["text"], e["actor"]) for e in mine] == [(ANSWER, "consumer")]
    assert mine[0]["at"] and detail["unread_messages"] == 1
    assert [m["author_kind"] for m in detail["conversation"]] == ["staff", "consumer"]
    # Personal data: encrypted at rest, never in a log line.
    async with services.database.sessions() as session:
        row = (await session.scalars(select(CaseMessage))).one()
    assert ANSWER.encode() not in row.text_enc
    assert services.cipher.decrypt(row.text_enc) == ANSWER
    assert ANSWER not in caplog.text


async def test_an_evidence_request_made_while_away_is_answered_after_hi(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    number = await file_complaint(client, fake, UID)
    agent = await sign_in(client, services, "agent")
    await post(client, updates.text(UID, "/new"))  # the consumer wanders off into a draft
    requested = await client.post(
        f"/api/v1/complaints/{number}/request-evidence", headers=agent,
        json={"note": "Please send the invoice."},
    )  # fmt: skip
    assert requested.status_code == 202
    # Away: the notice is not even delivered before the consumer writes again.
    await post(client, updates.text(UID, "hi"))
    assert f"You have 1 open request: complaint {number}: Please send the invoice." in " ".join(
        fake.sent_texts(UID)[-3:]
    )
    await post(client, updates.text(UID, "menu"))
    await post(client, updates.text(UID, "/status"))
    assert "Please send the invoice." in " ".join(fake.sent_texts(UID)[-2:])
    await post(client, updates.photo(UID, "INVOICE"))
    assert f"Added to complaint {number}" in fake.sent_texts(UID)[-2]
    async with services.database.sessions() as session:
        request = (await session.scalars(select(CaseRequest))).one()
        files = (await session.scalars(select(Evidence).order_by(Evidence.id))).all()
    assert (request.kind, request.status, request.closed_by) == ("evidence", "answered", "consumer")
    assert files[-1].platform_ref == "INVOICE" and files[-1].complaint_id is not None
    await post(client, updates.text(UID, "hi"))
    assert "open request" not in " ".join(fake.sent_texts(UID)[-2:])


async def test_another_consumer_can_neither_write_nor_read_the_case(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    number = await file_complaint(client, fake, UID)
    agent = await sign_in(client, services, "agent")
    await client.post(
        f"/api/v1/complaints/{number}/messages", headers=agent, json={"text": "Any receipt?"}
    )
    await client.post(f"/api/v1/complaints/{number}/request-evidence", headers=agent, json={})
    # The other consumer's free text, "reply", a file and the number go nowhere.
    for update in (
        updates.text(OTHER, "hi"),
        updates.text(OTHER, "Here is my answer about the receipt"),
        updates.text(OTHER, "reply"),
        updates.text(OTHER, number),
        updates.photo(OTHER, "STRANGER"),
    ):
        assert (await post(client, update)).status_code == 200
    told = " ".join(fake.sent_texts(OTHER))
    assert number not in told and "open request" not in told
    async with services.database.sessions() as session:
        assert (await session.scalars(select(CaseMessage))).all() == []
        stray = (
            await session.scalars(select(Evidence).where(Evidence.platform_ref == "STRANGER"))
        ).all()
    assert all(e.complaint_id is None for e in stray)
