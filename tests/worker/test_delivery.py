"""Outbox delivery on SQLite and PostgreSQL: sent, held, blocked, unconfigured, left alone."""

from __future__ import annotations

from datetime import UTC, datetime

from bots.delivery import worker
from bots.services import Services
from dialogs.delivery import HoldForReply, Undeliverable
from dialogs.events import TextMessage
from dialogs.vocabulary import Platform
from storage import outbox
from tests.conftest import Clock

from .channel import ScriptedSender
from .helpers import consumer, identity, notices, notify, statuses


async def test_a_notice_is_sent_and_recorded(services: Services, clock: Clock) -> None:
    sender = ScriptedSender(rename={"o1": "o1-moved"})
    services.senders["wechat"] = sender
    who = await consumer(services, "o1")
    await notify(services, who, "accepted")
    async with services.database.sessions() as session:
        assert await outbox.due_count(session=session, now=clock.now) == 1
    assert await worker.deliver_due(services) == 1
    assert sender.sent == [("o1", "accepted")]
    [notice] = await notices(services)
    assert (notice.status, notice.delivered_via, notice.attempts) == ("sent", "custom", 1)
    assert notice.sent_at == clock.now and notice.lease_until is None
    stored = await identity(services, who.id)
    assert stored.pushes_since_inbound == 1
    assert stored.external_id == "o1-moved"  # the platform moved the chat
    assert await worker.deliver_due(services) == 0
    async with services.database.sessions() as session:
        assert await outbox.due_count(session=session, now=clock.now) == 0


async def test_a_blocking_refusal_marks_the_consumer_and_later_notices_are_not_tried(
    services: Services,
) -> None:
    sender = ScriptedSender(script=[Undeliverable("43004 unsubscribed", block_identity=True)])
    services.senders["wechat"] = sender
    who = await consumer(services, "o3")
    await notify(services, who, "one")
    await worker.deliver_due(services)
    await notify(services, who, "two")
    await worker.deliver_due(services)
    assert sender.tried == ["one"]  # "two" never reached the platform
    assert await statuses(services) == [
        ("undeliverable", "43004 unsubscribed"),
        ("undeliverable", "consumer blocked: 43004 unsubscribed"),
    ]
    stored = await identity(services, who.id)
    assert stored.blocked and stored.blocked_reason == "43004 unsubscribed"


async def test_a_plain_refusal_does_not_block_the_consumer(services: Services) -> None:
    services.senders["wechat"] = ScriptedSender(script=[Undeliverable("message too long")])
    who = await consumer(services, "o3b")
    await notify(services, who, "long")
    await notify(services, who, "short")
    await worker.deliver_due(services)
    await worker.deliver_due(services)
    assert await statuses(services) == [("undeliverable", "message too long"), ("sent", None)]
    assert not (await identity(services, who.id)).blocked


async def test_held_notices_ride_along_with_the_next_reply(services: Services) -> None:
    services.senders["wechat"] = ScriptedSender(script=[HoldForReply("window closed")])
    await notify(services, await consumer(services, "o4"), "Your complaint was accepted.")
    await worker.deliver_due(services)
    assert await statuses(services) == [("held", "window closed")]
    assert await worker.deliver_due(services) == 0  # held is not pushed again
    replies = await services.engine.handle(
        TextMessage(
            platform=Platform.WECHAT,
            user_id="o4",
            message_id="wx-back",
            received_at=datetime.now(UTC),
            text="hi",
        )
    )
    assert "Your complaint was accepted." in [r.text for r in replies]
    [notice] = await notices(services)
    assert (notice.status, notice.delivered_via) == ("sent", "reply")


async def test_a_channel_that_is_not_configured_is_a_visible_retry(services: Services) -> None:
    await notify(services, await consumer(services, "o8"), "nowhere")
    assert await worker.deliver_due(services) == 1
    assert await statuses(services) == [("retrying", "channel not configured")]


async def test_an_unexpected_sender_error_is_retried_not_lost(services: Services) -> None:
    sender = ScriptedSender(script=[RuntimeError("library bug")])
    services.senders["wechat"] = sender
    await notify(services, await consumer(services, "o9"), "still here")
    await worker.deliver_due(services)
    assert await statuses(services) == [("retrying", "unexpected error: RuntimeError")]


async def test_web_and_terminal_notices_are_left_for_the_reply_or_the_page(
    services: Services,
) -> None:
    sender = ScriptedSender()
    for platform in ("wechat", "web", "console"):
        services.senders[platform] = sender
    await notify(services, await consumer(services, "page", Platform.WEB), "for the page")
    await notify(services, await consumer(services, "tty", Platform.TERMINAL), "for the tty")
    assert await worker.deliver_due(services) == 0
    assert [s for s, _ in await statuses(services)] == ["pending", "pending"]
    assert sender.tried == []
    async with services.database.sessions() as session:
        assert await outbox.due_count(session=session, now=services.now()) == 0
