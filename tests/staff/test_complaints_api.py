"""Working complaints over the API: masking, lifecycle, notices, atomicity, evidence."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bots.services import Services
from storage.models import AuditEntry, Complaint, ComplaintEvent, ConversationRow, OutboxNotice
from tests.staff.helpers import PNG, WebConsumer, count, file_by_chat, sign_in


async def test_lists_and_details_mask_the_contact_and_reveal_it_by_role(
    client: httpx.AsyncClient, services: Services
) -> None:
    alice = WebConsumer.beside(client)
    number = await file_by_chat(alice)
    agent = await sign_in(client, services, "agent", "li")
    supervisor = await sign_in(client, services, "supervisor", "boss")
    item = (await client.get("/api/v1/complaints", headers=agent)).json()["items"][0]
    assert item["number"] == number
    assert item["contact_name"] == "张*" and item["contact_phone"] == "+86 138****5678"
    detail = await client.get(f"/api/v1/complaints/{number}", headers=agent)
    assert "13812345678" not in detail.text and "张三" not in detail.text
    refused = await client.get(f"/api/v1/complaints/{number}/contact", headers=agent)
    assert refused.status_code == 403
    shown = (await client.get(f"/api/v1/complaints/{number}/contact", headers=supervisor)).json()
    assert shown["contact_name"] == "张三" and shown["contact_phone"] == "+8613812345678"
    # The assigned agent may see it too.
    assign = await client.post(
        f"/api/v1/complaints/{number}/assign", headers=supervisor, json={"assignee": "li"}
    )
    assert assign.status_code == 200
    assert (
        await client.get(f"/api/v1/complaints/{number}/contact", headers=agent)
    ).status_code == 200
    assert await count(services, AuditEntry, AuditEntry.action == "complaint.contact") == 2


async def test_accepting_queues_the_notice_the_web_consumer_receives(
    client: httpx.AsyncClient, services: Services
) -> None:
    bob = WebConsumer.beside(client)
    number = await file_by_chat(bob)
    agent = await sign_in(client, services, "agent")
    moved = await client.post(
        f"/api/v1/complaints/{number}/status",
        headers=agent,
        json={"status": "accepted", "note": "We called the shop.", "notify": True},
    )
    assert moved.status_code == 200, moved.text
    polled = await bob.notices()
    assert len(polled) == 1
    text = polled[0]["text"]
    assert number in text and "Accepted" in text and "We called the shop." in text
    assert "Expected resolution by" in text
    assert await bob.notices() == []
    detail = (await client.get(f"/api/v1/complaints/{number}", headers=agent)).json()
    assert detail["status"] == "accepted"
    notices = [e["notice"] for e in detail["timeline"] if e["kind"] == "notice"]
    assert [(n["status"], n["delivered_via"]) for n in notices] == [("sent", "page")]
    moves = [(e["from_status"], e["to_status"], e["actor"]) for e in detail["timeline"]
             if e["kind"] == "status"]  # fmt: skip
    assert moves == [(None, "submitted", "consumer"), ("submitted", "accepted", "staff:agent")]


async def test_a_chinese_consumer_gets_the_notice_in_chinese(
    client: httpx.AsyncClient, services: Services
) -> None:
    chen = WebConsumer.beside(client, lang="zh-CN")
    number = await file_by_chat(chen)
    agent = await sign_in(client, services, "agent")
    await client.post(
        f"/api/v1/complaints/{number}/status", headers=agent, json={"status": "accepted"}
    )
    text = (await chen.notices())[0]["text"]
    assert number in text and "已受理" in text


async def test_lifecycle_refusals_name_the_allowed_moves_and_change_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    carol = WebConsumer.beside(client)
    number = await file_by_chat(carol)
    agent = await sign_in(client, services, "agent")
    url = f"/api/v1/complaints/{number}/status"
    closed = await client.post(url, headers=agent, json={"status": "closed"})
    assert closed.status_code == 409
    assert closed.json()["allowed"] == ["accepted", "rejected", "transferred", "withdrawn"]
    assert "accepted" in closed.json()["detail"]
    no_reason = await client.post(url, headers=agent, json={"status": "rejected", "note": "  "})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]
    unknown = await client.post(url, headers=agent, json={"status": "reopened"})
    assert unknown.status_code == 422
    missing = await client.post(
        "/api/v1/complaints/20990101000001/status", headers=agent, json={"status": "accepted"}
    )
    assert missing.status_code == 404 and "no complaint" in missing.json()["detail"]
    assert (await client.post(url, headers=agent, content=b"{bad")).status_code == 422
    assert await count(services, OutboxNotice) == 0
    assert await count(services, ComplaintEvent) == 1
    rejected = await client.post(
        url, headers=agent,
        json={"status": "rejected", "reason": "outside_remit", "note": "Outside our remit."},
    )
    assert rejected.status_code == 200
    again = await client.post(url, headers=agent, json={"status": "accepted"})
    assert again.status_code == 409 and again.json()["allowed"] == ["closed"]


@pytest.fixture
def failing_commit() -> Iterator[None]:
    """Every commit fails after the transaction's writes were flushed."""

    def boom(session: Session) -> None:
        session.flush()
        raise OperationalError("COMMIT", {}, Exception("forced commit failure"))

    event.listen(Session, "before_commit", boom)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", boom)


async def test_when_the_commit_fails_neither_status_nor_notice_exists(
    client: httpx.AsyncClient, services: Services, request: pytest.FixtureRequest
) -> None:
    dave = WebConsumer.beside(client)
    number = await file_by_chat(dave)
    agent = await sign_in(client, services, "agent")
    request.getfixturevalue("failing_commit")
    failed = await client.post(
        f"/api/v1/complaints/{number}/status",
        headers=agent,
        json={"status": "accepted", "note": "ok"},
    )
    assert failed.status_code == 503
    async with services.database.sessions() as session:
        complaint = await session.scalar(select(Complaint))
    assert complaint is not None and complaint.status == "submitted"
    assert await count(services, OutboxNotice) == 0
    assert await count(services, ComplaintEvent, ComplaintEvent.to_status == "accepted") == 0
    assert await count(services, AuditEntry, AuditEntry.action == "complaint.status") == 0


async def test_resolving_asks_the_consumer_to_rate_and_the_rating_shows(
    client: httpx.AsyncClient, services: Services
) -> None:
    erin = WebConsumer.beside(client)
    number = await file_by_chat(erin)
    agent = await sign_in(client, services, "agent")
    url = f"/api/v1/complaints/{number}/status"
    assert (await client.post(url, headers=agent, json={"status": "accepted"})).status_code == 200
    done = await client.post(url, headers=agent, json={"status": "resolved", "note": "Refunded."})
    assert len(done.json()["notices"]) == 2
    replies = await erin.notices()
    asked = replies[-1]
    assert asked["step"] == "rating" and len(asked["choices"]) >= 5
    send = erin.say
    answer = await send(next(c["id"] for c in asked["choices"] if "5" in c["label"]))
    while answer and answer[-1].get("step") == "rating_comment":
        answer = await send("Quick and fair.")
    detail = (await client.get(f"/api/v1/complaints/{number}", headers=agent)).json()
    assert detail["rating"] == 5


async def test_notes_stay_internal_and_messages_reach_the_consumer(
    client: httpx.AsyncClient, services: Services
) -> None:
    fay = WebConsumer.beside(client)
    number = await file_by_chat(fay)
    agent = await sign_in(client, services, "agent")
    note = await client.post(
        f"/api/v1/complaints/{number}/notes", headers=agent, json={"text": "Merchant is slow."}
    )
    assert note.status_code == 201
    message = await client.post(
        f"/api/v1/complaints/{number}/messages", headers=agent, json={"text": "Any receipt?"}
    )
    assert message.status_code == 202
    empty = await client.post(
        f"/api/v1/complaints/{number}/notes", headers=agent, json={"text": ""}
    )
    assert empty.status_code == 422
    replies = await fay.notices()
    assert [r["text"].splitlines()[0] for r in replies] == [
        f"About your complaint {number}: Any receipt?"
    ]
    consumer_view = await fay.say("my complaints")
    assert "Merchant is slow" not in str(consumer_view)
    timeline = (await client.get(f"/api/v1/complaints/{number}", headers=agent)).json()["timeline"]
    notes = [e for e in timeline if e["kind"] == "note"]
    assert notes[0]["note"] == "Merchant is slow." and notes[0]["internal"] is True


async def test_requesting_evidence_moves_the_consumer_to_adding_files(
    client: httpx.AsyncClient, services: Services
) -> None:
    gus = WebConsumer.beside(client)
    number = await file_by_chat(gus)
    agent = await sign_in(client, services, "agent")
    asked = await client.post(
        f"/api/v1/complaints/{number}/request-evidence",
        headers=agent,
        json={"note": "Please send the invoice."},
    )
    assert asked.status_code == 202
    async with services.database.sessions() as session:
        conv = await session.scalar(select(ConversationRow))
    assert conv is not None and conv.state == "adding_evidence"
    replies = await gus.notices()
    assert "Please send the invoice." in replies[0]["text"]
    assert await gus.upload(PNG, "invoice.png")
    detail = (await client.get(f"/api/v1/complaints/{number}", headers=agent)).json()
    assert len(detail["evidence"]) == 1


async def test_evidence_downloads_with_its_sha256(
    client: httpx.AsyncClient, services: Services
) -> None:
    hana = WebConsumer.beside(client)
    number = await file_by_chat(hana, photo=True)
    agent = await sign_in(client, services, "agent")
    detail = (await client.get(f"/api/v1/complaints/{number}", headers=agent)).json()
    item: dict[str, Any] = detail["evidence"][0]
    got = await client.get(item["download"], headers=agent)
    assert got.status_code == 200
    assert got.content == PNG
    assert got.headers["x-content-sha256"] == hashlib.sha256(PNG).hexdigest() == item["sha256"]
    assert got.headers["content-type"] == "image/png"
    assert (await client.get(item["download"])).status_code == 401
    other = await client.get(f"/api/v1/complaints/{number}/evidence/999", headers=agent)
    assert other.status_code == 404
    assert (
        await client.get(f"/api/v1/complaints/{number}/evidence/x", headers=agent)
    ).status_code == 422
