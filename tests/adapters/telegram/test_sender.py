"""Pushed messages through the real Bot against the fake: limits, 429, blocks, migration."""

from __future__ import annotations

import time
from typing import Any

import pytest

from adapters.telegram.pacing import LocalPacer
from adapters.telegram.sender import TelegramMediaFetcher
from dialogs.delivery import Recipient, RetryLater, Undeliverable
from dialogs.replies import Reply
from tests.fakes.telegram_api import FakeTelegram


def recipient(chat: int) -> Recipient:
    return Recipient(
        identity_id=1,
        platform="telegram",
        external_id=str(chat),
        language="en",
        last_inbound_at=None,
        pushes_since_inbound=0,
    )


async def test_a_notice_is_sent(services: Any, fake: FakeTelegram) -> None:
    delivered = await services.senders["telegram"].send(recipient(5), [Reply("Accepted.")])
    assert delivered.via == "message" and delivered.new_external_id is None
    assert fake.sent_texts(5) == ["Accepted."]


async def test_429_becomes_retry_later_with_telegrams_delay(
    services: Any, fake: FakeTelegram
) -> None:
    fake.fail("sendMessage", FakeTelegram.too_many(7))
    with pytest.raises(RetryLater) as caught:
        await services.senders["telegram"].send(recipient(5), [Reply("x")])
    assert caught.value.retry_after == 7


async def test_a_blocked_bot_makes_the_consumer_unreachable(
    services: Any, fake: FakeTelegram
) -> None:
    fake.fail("sendMessage", FakeTelegram.blocked())
    with pytest.raises(Undeliverable) as caught:
        await services.senders["telegram"].send(recipient(5), [Reply("x")])
    assert caught.value.block_identity and "blocked" in caught.value.reason


async def test_a_migrated_chat_is_followed(services: Any, fake: FakeTelegram) -> None:
    fake.fail("sendMessage", FakeTelegram.migrated(-1009999))
    delivered = await services.senders["telegram"].send(recipient(5), [Reply("moved")])
    assert delivered.new_external_id == "-1009999"
    assert fake.sent_texts(-1009999) == ["moved"]


async def test_files_are_fetched_and_big_ones_refused(services: Any, fake: FakeTelegram) -> None:
    fake.files["F1"] = b"%PDF-1.4 tiny"
    fetcher: TelegramMediaFetcher = services.fetchers["telegram"]
    data = b"".join([chunk async for chunk in fetcher.fetch("F1", "document")])
    assert data == b"%PDF-1.4 tiny"
    with pytest.raises(Undeliverable, match="20 MB"):
        _ = [chunk async for chunk in fetcher.fetch("HUGE", "video")]


async def test_the_overall_pace_follows_the_setting(settings: Any) -> None:
    from bots.services import Services

    built = Services.build(settings.model_copy(update={"telegram_messages_per_second": 5}))
    try:
        pacer = built.channels["telegram"].pacer
        assert isinstance(pacer, LocalPacer)
        started = time.monotonic()
        for chat in range(6):
            await pacer.wait(chat, per_chat=False)
        # The sixth message of the second waits for the first to leave the window.
        assert time.monotonic() - started >= 0.9
    finally:
        await built.close()
