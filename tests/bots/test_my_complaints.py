"""My complaints through the engine on SQLite and PostgreSQL: timeline, withdraw, rate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bots.services import Services
from storage import complaints, outbox
from storage.models import Complaint, ComplaintEvent, Identity
from tests.support.driver import COMPLAINT, Pick, answer_for, filed, question, walk

from .test_engine import sender


async def file_one(services: Services, user: str) -> str:
    replies = await walk(sender(services, user), COMPLAINT, until=lambda r: filed(r) is not None)
    number = filed(replies)
    assert number is not None
    return number


async def open_detail(services: Services, user: str) -> list[dict[str, Any]]:
    send = sender(services, user)
    listing = await send("my complaints")
    return await send(answer_for(question(listing) or {}, {"my_list": None}))


async def test_withdraw_is_confirmed_and_recorded(services: Services) -> None:
    number = await file_one(services, "wd")
    send = sender(services, "wd")
    detail = await open_detail(services, "wd")
    assert number in " ".join(r["text"] for r in detail)
    asked = await send(answer_for(question(detail) or {}, {"my_detail": Pick("withdraw")}))
    await send(answer_for(question(asked) or {}, {"confirm_withdraw": None}))
    async with services.database.sessions() as session:
        complaint = (await session.scalars(select(Complaint))).one()
        last = (
            await session.scalars(select(ComplaintEvent).order_by(ComplaintEvent.id.desc()))
        ).first()
    assert complaint.status == "withdrawn"
    assert last is not None and (last.from_status, last.actor) == ("submitted", "consumer")


async def test_rating_after_resolution(services: Services) -> None:
    number = await file_one(services, "rt")
    async with services.database.transaction() as session:
        complaint = (await session.scalars(select(Complaint))).one()
        for status in ("accepted", "resolved"):
            await complaints.move_status(
                session=session,
                complaint=complaint,
                target=status,
                actor="staff:test",
                note=None,
                now=services.now(),
                deadlines=services.deadlines,
            )
    send = sender(services, "rt")
    detail = await open_detail(services, "rt")
    asked = await send(answer_for(question(detail) or {}, {"my_detail": Pick("rate")}))
    assert question(asked) is not None
    comment = await send("5")
    await send("Quick and fair, thank you.")
    assert comment
    async with services.database.sessions() as session:
        complaint = (await session.scalars(select(Complaint))).one()
    assert complaint.number == number
    assert (complaint.rating, complaint.rating_comment) == (5, "Quick and fair, thank you.")


async def test_a_notice_rides_along_with_the_next_reply(services: Services) -> None:
    await sender(services, "nt")("hi")
    async with services.database.transaction() as session:
        identity = (await session.scalars(select(Identity))).one()
        from dialogs.replies import Reply

        await outbox.enqueue(
            session=session,
            identity=identity,
            replies=[Reply("Staff note: we called.")],
            now=services.now(),
        )
    replies = await sender(services, "nt")("hi")
    assert "Staff note: we called." in [r["text"] for r in replies]
    again = await sender(services, "nt")("hi")
    assert "Staff note: we called." not in [r["text"] for r in again]
