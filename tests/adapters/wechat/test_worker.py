"""WeChat end to end through the delivery worker: downloads, notices, held notices."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import httpx
from sqlalchemy import select

from bots.delivery import worker
from dialogs.texts import render_notice
from storage import complaints, outbox
from storage.models import Complaint, Evidence, Identity, OutboxNotice
from tests.adapters.wechat.flow import PNG, server, walk_to
from tests.conftest import Clock
from tests.fakes.wechat_api import FakeWeChat


async def file_with_photo(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock, user: str
) -> str:
    wx = server(client, fake, clock)
    await walk_to(wx, services, user, "evidence", "hi")
    await wx.send_image(user, "MEDIA_W1")
    await walk_to(wx, services, user, "confirm", "done")
    number = re.search(r"\b(\d{14})\b", await wx.say(user, "1"))
    assert number
    return number.group(1)


async def accept(services: Any, number: str) -> None:
    """What the staff side does: the status and the consumer's notice in one transaction."""
    async with services.database.transaction() as session:
        complaint = await session.scalar(select(Complaint).where(Complaint.number == number))
        assert complaint is not None
        await complaints.move_status(
            session=session,
            complaint=complaint,
            target="accepted",
            actor="staff:t",
            note="We called the shop.",
            now=services.now(),
            deadlines=services.deadlines,
        )
        identity = await session.get_one(Identity, complaint.identity_id)
        notice = render_notice(
            identity.language,
            number=number,
            status="accepted",
            note="We called the shop.",
            next_deadline=complaint.resolve_due,
        )
        await outbox.enqueue(
            session=session,
            identity=identity,
            replies=[notice],
            now=services.now(),
            complaint_id=complaint.id,
        )


async def test_photo_download_and_notice_through_the_worker(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    services.senders["wechat"].clock = clock
    number = await file_with_photo(client, services, fake, clock, "oWorker1")
    fake.media["MEDIA_W1"] = (PNG, "image/png")
    assert await worker.fetch_due(services) == 1
    async with services.database.sessions() as session:
        item = (await session.scalars(select(Evidence))).one()
    assert (item.fetch_status, item.sha256) == ("stored", hashlib.sha256(PNG).hexdigest())

    await accept(services, number)
    assert await worker.deliver_due(services) == 1
    [call] = fake.calls_to("message/custom/send")
    assert call.body is not None and call.body["touser"] == "oWorker1"
    assert number in call.body["text"]["content"]
    assert "We called the shop." in call.body["text"]["content"]
    async with services.database.sessions() as session:
        notice = (await session.scalars(select(OutboxNotice))).one()
    assert (notice.status, notice.delivered_via) == ("sent", "custom")


async def test_outside_the_window_the_notice_waits_for_the_next_message(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    services.senders["wechat"].clock = clock
    number = await file_with_photo(client, services, fake, clock, "oWorker2")
    clock.advance(hours=49)  # the 48-hour customer-service window has closed
    await accept(services, number)
    await worker.deliver_due(services)
    assert fake.calls_to("message/custom/send") == []
    async with services.database.sessions() as session:
        assert (await session.scalars(select(OutboxNotice))).one().status == "held"
    reply = await server(client, fake, clock).say("oWorker2", "hi")
    assert number in reply and "We called the shop." in reply


async def test_a_follow_opens_one_minute_for_pending_notices(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    from dialogs.replies import Reply
    from tests.adapters.wechat.wire import event_xml

    services.senders["wechat"].clock = clock
    wx = server(client, fake, clock)
    await wx.post(event_xml("oWorker3", "subscribe", int(clock.now.timestamp())))

    async def notice(text: str) -> None:
        async with services.database.transaction() as session:
            identity = await session.scalar(
                select(Identity).where(Identity.external_id == "oWorker3"))
            assert identity is not None
            await outbox.enqueue(session=session, identity=identity, replies=[Reply(text)],
                                 now=clock.now)

    for n in range(4):  # three fit the minute after following; the fourth waits
        clock.advance(seconds=5)
        await notice(f"notice {n}")
        await worker.deliver_due(services)
    assert [c.body["text"]["content"] for c in fake.calls_to("message/custom/send")
            if c.body] == ["notice 0", "notice 1", "notice 2"]
    clock.advance(minutes=2)
    await wx.post(event_xml("oWorker3", "CLICK", int(clock.now.timestamp()), "help"))
    clock.advance(seconds=70)  # the click's minute is over too
    await notice("late")
    await worker.deliver_due(services)
    async with services.database.sessions() as session:
        statuses = [n.status for n in (await session.scalars(
            select(OutboxNotice).order_by(OutboxNotice.id))).all()]
    # The fourth rode on the click's passive reply; the late one waits for the next.
    assert statuses == ["sent", "sent", "sent", "sent", "held"]
