"""A Telegram update is answered once, however often it is delivered; permanent
refusals end the update. Real python-telegram-bot against the fake Bot API, both
databases."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from adapters.telegram import inbound
from storage import processed
from storage.models import Identity, ProcessedMessage
from tests.conftest import Clock
from tests.fakes.telegram_api import FakeTelegram

from . import updates
from .test_webhook import UID, post

CHAT_NOT_FOUND = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
NO_RIGHTS = {
    "ok": False,
    "error_code": 400,
    "description": "Bad Request: not enough rights to send text messages to the chat",
}
SERVER_ERROR = {"ok": False, "error_code": 500, "description": "Internal Server Error"}


async def replies_of_start(client: httpx.AsyncClient, fake: FakeTelegram) -> int:
    """How many sendMessage calls one /start makes (from another consumer)."""
    before = len(fake.calls_to("sendMessage"))
    assert (await post(client, updates.text(UID + 1, "/start"))).status_code == 200
    return len(fake.calls_to("sendMessage")) - before


async def record(services: Any) -> ProcessedMessage:
    async with services.database.sessions() as session:
        owner = await session.scalar(select(Identity.id).where(Identity.external_id == str(UID)))
        return (
            await session.scalars(
                select(ProcessedMessage).where(ProcessedMessage.identity_id == owner)
            )
        ).one()


async def identity(services: Any) -> Identity:
    async with services.database.sessions() as session:
        return (
            await session.scalars(select(Identity).where(Identity.external_id == str(UID)))
        ).one()


async def test_concurrent_copies_of_one_update_send_its_replies_once(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    per_start = await replies_of_start(client, fake)
    before = len(fake.calls_to("sendMessage"))
    start = updates.text(UID, "/start")
    answers = await asyncio.gather(*(post(client, start) for _ in range(4)))
    assert len(fake.calls_to("sendMessage")) - before == per_start
    # Copies that found the first one still sending ask Telegram to come back.
    assert sorted(a.status_code for a in answers)[0] == 200
    assert {a.status_code for a in answers} <= {200, 502}
    assert (await record(services)).delivery == processed.SENT
    # Telegram comes back: the replies went out, so nothing is sent again.
    assert (await post(client, start)).status_code == 200
    assert len(fake.calls_to("sendMessage")) - before == per_start


async def test_a_crash_between_commit_and_send_is_answered_on_redelivery(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram, clock: Clock
) -> None:
    start = updates.text(UID, "/start")
    _, event = inbound.parse(start, services.channels["telegram"].bot)
    assert not isinstance(event, inbound.Ignored)
    # Applied and committed, then the process died before sending.
    applied = await services.engine.handle_push(event)
    assert applied.replies and applied.receipt is not None
    # While the first attempt may still be sending, a copy sends nothing.
    assert (await post(client, start)).status_code == 502
    assert fake.calls_to("sendMessage") == []
    clock.advance(seconds=processed.CLAIM.total_seconds() + 1)
    assert (await post(client, start)).status_code == 200
    assert fake.sent_texts(UID) == [r.text for r in applied.replies]
    assert (await post(client, start)).status_code == 200
    assert len(fake.sent_texts(UID)) == len(applied.replies)


@pytest.mark.parametrize(
    "failure", [SERVER_ERROR, FakeTelegram.too_many(1)], ids=["500", "429"]
)
async def test_a_passing_failure_is_redelivered_and_then_sent_once(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram, failure: dict[str, Any]
) -> None:
    start = updates.text(UID, "/start")
    fake.fail("sendMessage", failure)
    assert (await post(client, start)).status_code == 502
    assert (await record(services)).delivery == processed.PENDING
    assert (await post(client, start)).status_code == 200
    sent = fake.sent_texts(UID)
    assert sent and (await record(services)).delivery == processed.SENT
    assert (await post(client, start)).status_code == 200
    assert fake.sent_texts(UID) == sent


async def test_a_consumer_who_blocked_the_bot_ends_the_update_and_is_marked(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram
) -> None:
    start = updates.text(UID, "/start")
    fake.fail("sendMessage", FakeTelegram.blocked())
    assert (await post(client, start)).status_code == 200
    who = await identity(services)
    assert who.blocked and "403" in (who.blocked_reason or "")
    assert (await record(services)).delivery == processed.REFUSED
    calls = len(fake.calls_to("sendMessage"))
    assert (await post(client, start)).status_code == 200
    assert len(fake.calls_to("sendMessage")) == calls
    # Writing again means the block was lifted: reachable again, for notices too.
    assert (await post(client, updates.text(UID, "hi"))).status_code == 200
    assert not (await identity(services)).blocked


@pytest.mark.parametrize("refusal", [CHAT_NOT_FOUND, NO_RIGHTS], ids=["chat", "rights"])
async def test_a_refused_chat_ends_the_update(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram, refusal: dict[str, Any]
) -> None:
    start = updates.text(UID, "/start")
    fake.fail("sendMessage", refusal)
    assert (await post(client, start)).status_code == 200
    assert (await record(services)).delivery == processed.REFUSED
    # As the outbox worker does: a 400 ends this delivery, it does not block the consumer.
    assert not (await identity(services)).blocked
    calls = len(fake.calls_to("sendMessage"))
    assert (await post(client, start)).status_code == 200
    assert len(fake.calls_to("sendMessage")) == calls
