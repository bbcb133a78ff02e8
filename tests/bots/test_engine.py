"""The engine end to end on SQLite and PostgreSQL: flows, dedupe, concurrency, resume."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bots.services import Services
from dialogs.events import MediaKind, MediaMessage, TextMessage
from dialogs.texts import format_date
from dialogs.vocabulary import Platform
from storage.models import Complaint, ComplaintEvent, ConversationRow, Evidence, ProcessedMessage
from tests.conftest import Clock
from tests.support.driver import COMPLAINT, CONSULTATION, REPORT, as_dicts, filed, walk

_ids = itertools.count(1)


def text(
    user: str, body: str, *, message_id: str | None = None, lang: str | None = None
) -> TextMessage:
    return TextMessage(
        platform=Platform.WEB,
        user_id=user,
        message_id=message_id or f"m{next(_ids)}",
        received_at=datetime.now(UTC),
        language_hint=lang,
        text=body,
    )


def sender(services: Services, user: str, lang: str | None = "en"):  # type: ignore[no-untyped-def]
    async def send(body: str) -> list[dict[str, Any]]:
        return as_dicts(await services.engine.handle(text(user, body, lang=lang)))

    return send


async def count(services: Services, model: Any) -> int:
    async with services.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_complaint_is_filed_with_number_and_deadlines(services: Services) -> None:
    replies = await walk(sender(services, "alice"), COMPLAINT, until=lambda r: filed(r) is not None)
    number = filed(replies)
    async with services.database.sessions() as session:
        complaint = (await session.scalars(select(Complaint))).one()
        events = (await session.scalars(select(ComplaintEvent))).all()
    assert complaint.number == number
    assert complaint.type == "complaint"
    assert complaint.category == "appliances"
    assert str(complaint.amount) == "3999.00"
    assert complaint.demands and len(complaint.demands) == 2
    assert complaint.contact_phone_enc and b"13812345678" not in complaint.contact_phone_enc
    assert services.cipher.decrypt(complaint.contact_phone_enc) == "+8613812345678"
    assert complaint.accept_due is not None and complaint.resolve_due is not None
    said = " ".join(r["text"] for r in replies)
    assert format_date("en", complaint.accept_due) in said
    assert format_date("en", complaint.resolve_due) in said
    assert [e.to_status for e in events] == ["submitted"]


async def test_report_and_consultation_are_filed_anonymously(services: Services) -> None:
    for user, answers, kind in (("rep", REPORT, "report"), ("con", CONSULTATION, "consultation")):
        await walk(sender(services, user), answers, until=lambda r: filed(r) is not None)
        async with services.database.sessions() as session:
            complaint = await session.scalar(select(Complaint).where(Complaint.type == kind))
        assert complaint is not None
        assert complaint.contact_phone_enc is None


async def test_a_repeated_message_returns_the_same_replies_and_changes_nothing(
    services: Services,
) -> None:
    first = await services.engine.handle(text("bob", "hi", message_id="dup-1"))
    async with services.database.sessions() as session:
        before = await session.scalar(select(ConversationRow.version))
    again = await services.engine.handle(text("bob", "hi", message_id="dup-1"))
    async with services.database.sessions() as session:
        after = await session.scalar(select(ConversationRow.version))
    assert again == first
    assert before == after == 1
    assert await count(services, ProcessedMessage) == 1


async def test_concurrent_copies_of_one_message_apply_once(services: Services) -> None:
    await services.engine.handle(text("carol", "hi"))
    copies = [text("carol", "1", message_id="same") for _ in range(4)]
    results = await asyncio.gather(*(services.engine.handle(c) for c in copies))
    assert all(r == results[0] for r in results)
    async with services.database.sessions() as session:
        version = await session.scalar(select(ConversationRow.version))
    assert version == 2


async def test_three_messages_at_once_are_applied_one_after_another(services: Services) -> None:
    await services.engine.handle(text("dan", "hi", lang="en"))
    bodies = ["1", "back", "1"]
    await asyncio.gather(*(services.engine.handle(text("dan", b, lang="en")) for b in bodies))
    async with services.database.sessions() as session:
        conv = (await session.scalars(select(ConversationRow))).one()
    # Every message was applied: none lost, each saw the state the previous one left.
    assert conv.version == 4
    assert await count(services, ProcessedMessage) == 4


async def test_many_consumers_at_once_each_keep_their_own_state(services: Services) -> None:
    users = [f"u{i}" for i in range(8)]
    await asyncio.gather(*(services.engine.handle(text(u, "hi")) for u in users))
    await asyncio.gather(*(services.engine.handle(text(u, "1")) for u in users))
    async with services.database.sessions() as session:
        versions = (await session.scalars(select(ConversationRow.version))).all()
    assert sorted(versions) == [2] * 8


async def test_web_evidence_is_attached_to_the_filed_complaint(services: Services) -> None:
    send = sender(services, "erin")
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18"
        b"\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    blob = services.blobs.put(png)

    async def send_or_upload(body: str) -> list[dict[str, Any]]:
        if body != "done":
            return await send(body)
        media = MediaMessage(
            platform=Platform.WEB,
            user_id="erin",
            message_id=f"up{next(_ids)}",
            received_at=datetime.now(UTC),
            kind=MediaKind.PHOTO,
            blob_key=blob.key,
            sha256=blob.sha256,
            size=blob.size,
            mime=blob.mime,
        )
        await services.engine.handle(media)
        return await send("done")

    await walk(send_or_upload, COMPLAINT, until=lambda r: filed(r) is not None)
    async with services.database.sessions() as session:
        item = (await session.scalars(select(Evidence))).one()
        complaint = (await session.scalars(select(Complaint))).one()
    assert item.complaint_id == complaint.id
    assert item.fetch_status == "stored" and item.sha256 == blob.sha256


async def test_a_consumer_back_after_a_day_is_asked_to_continue(
    services: Services, clock: Clock
) -> None:
    send = sender(services, "fay")
    await send("hi")
    await send("complaint")
    clock.advance(hours=30)
    replies = await send("hello again")
    assert any(r.get("choices") for r in replies)
    assert "continue" in " ".join(r["text"].lower() for r in replies)


async def test_my_complaints_shows_only_ones_own(services: Services) -> None:
    await walk(sender(services, "gus"), COMPLAINT, until=lambda r: filed(r) is not None)
    mine = await sender(services, "gus")("my complaints")
    theirs = await sender(services, "hal")("my complaints")
    async with services.database.sessions() as session:
        number = await session.scalar(select(Complaint.number))
    assert number in " ".join(str(r) for r in mine)
    assert number not in " ".join(str(r) for r in theirs)
