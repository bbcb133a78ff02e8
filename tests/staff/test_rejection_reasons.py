"""Rejections take a reason from the fixed list; the consumer reads it in their language."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from bots.services import Services
from dialogs.lifecycle import REJECTION_REASONS
from storage.models import ComplaintEvent, OutboxNotice
from tests.staff.helpers import PASSWORD, WebConsumer, count, file_by_chat, make_staff, sign_in


@pytest.mark.parametrize(
    "body",
    [
        {"status": "rejected"},
        {"status": "rejected", "note": "We cannot take this."},
        {"status": "rejected", "reason": "because", "note": "x"},
        {"status": "rejected", "reason": "other"},
        {"status": "rejected", "reason": "other", "note": "   "},
        {"status": "accepted", "reason": "outside_remit"},
        {"status": "rejected", "reason": "x" * 33},
    ],
    ids=[
        "no reason",
        "note only",
        "unknown reason",
        "other without note",
        "blank note",
        "reason on acceptance",
        "too long",
    ],
)
async def test_a_rejection_without_a_valid_reason_is_422_and_changes_nothing(
    client: httpx.AsyncClient, services: Services, body: dict[str, str]
) -> None:
    number = await file_by_chat(WebConsumer(client))
    agent = await sign_in(client, services, "agent")
    refused = await client.post(f"/api/v1/complaints/{number}/status", headers=agent, json=body)
    assert refused.status_code == 422
    assert await count(services, OutboxNotice) == 0
    assert await count(services, ComplaintEvent) == 1  # only the filing


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Reason: The purchase or incident was more than 3 years ago."),
        ("zh-CN", "原因：购买或事发时间已超过 3 年。"),
    ],
)
async def test_the_consumer_reads_the_reason_in_their_language(
    client: httpx.AsyncClient, services: Services, lang: str, expected: str
) -> None:
    sam = WebConsumer(client, lang)
    number = await file_by_chat(sam)
    agent = await sign_in(client, services, "agent")
    done = await client.post(
        f"/api/v1/complaints/{number}/status",
        headers=agent,
        json={"status": "rejected", "reason": "time_barred", "note": "2019-05"},
    )
    assert done.status_code == 200, done.text
    text = (await sam.notices())[0]["text"]
    assert expected in text and "time_barred" not in text
    async with services.database.sessions() as session:
        event = await session.scalar(
            select(ComplaintEvent).where(ComplaintEvent.to_status == "rejected")
        )
    assert event is not None and (event.reason, event.note) == ("time_barred", "2019-05")
    detail = (await client.get(f"/api/v1/complaints/{number}", headers=agent)).json()
    assert [e["reason"] for e in detail["timeline"] if e.get("to_status") == "rejected"] == [
        "time_barred"
    ]


async def test_every_reason_has_words_in_both_languages() -> None:
    from dialogs.texts import reason_label

    for reason in REJECTION_REASONS:
        for lang in ("zh-CN", "en"):
            assert reason_label(reason, lang) != reason


async def test_the_console_offers_the_reasons_as_labels(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await file_by_chat(WebConsumer(client))
    await make_staff(services, "ag", "agent")
    login = await client.get("/console/login?lang=zh-CN")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token
    await client.post(
        "/console/login", data={"username": "ag", "password": PASSWORD, "csrf": token.group(1)}
    )
    page = await client.get(f"/console/complaints/{number}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    options = re.findall(r'<option value="([a-z_]+)">([^<]+)</option>', page.text)
    reasons = {value: label for value, label in options if value in REJECTION_REASONS}
    assert set(reasons) == set(REJECTION_REASONS)
    assert reasons["time_barred"] == "购买或事发时间已超过 3 年。"  # a label, not the code
    url = f"/console/complaints/{number}/status"
    missing = await client.post(url, data={"status": "rejected", "csrf": csrf.group(1)})
    assert missing.status_code == 422 and "reason" in missing.text
    done = await client.post(
        url,
        data={
            "status": "rejected",
            "reason": "not_consumer_dispute",
            "note": "",
            "csrf": csrf.group(1),
        },
    )
    assert done.status_code == 303
    page = await client.get(f"/console/complaints/{number}")
    assert "不属于消费者与经营者之间的消费纠纷。" in page.text
