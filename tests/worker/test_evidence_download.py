"""Evidence downloads: stored with sha256, retried, expired after 3 days, refused, failed."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bots.delivery import worker
from bots.services import Services
from dialogs.delivery import MediaExpired, RetryLater, Undeliverable
from dialogs.events import MediaKind, MediaMessage, TextMessage
from dialogs.texts import format_date, t
from dialogs.vocabulary import Platform
from storage import evidence_fetch
from storage.models import Evidence, Identity, OutboxNotice
from tests.conftest import Clock

from .channel import ScriptedFetcher

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18"
    b"\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def send_photo(services: Services, ref: str) -> None:
    """A consumer at the evidence step of a complaint sends a photo by reference."""
    for n, text in enumerate(
        [
            "hi",
            "1",
            "1",
            "1",
            "no",
            "Shop",
            "skip",
            "skip",
            "today",
            "100",
            "It broke on the first day of use.",
            "1",
        ]
    ):
        await services.engine.handle(
            TextMessage(
                platform=Platform.WECHAT,
                user_id="ev",
                message_id=f"{ref}-{n}",
                received_at=datetime.now(UTC),
                language_hint="en",
                text=text,
            )
        )
    await services.engine.handle(
        MediaMessage(
            platform=Platform.WECHAT,
            user_id="ev",
            message_id=f"{ref}-photo",
            received_at=datetime.now(UTC),
            kind=MediaKind.PHOTO,
            platform_ref=ref,
        )
    )


async def resend_notices(services: Services) -> list[str]:
    async with services.database.sessions() as session:
        rows = await session.scalars(select(OutboxNotice).order_by(OutboxNotice.id))
        return [n.payload["replies"][0]["text"] for n in rows if n.kind == "evidence_resend"]


async def rows(services: Services) -> list[Evidence]:
    async with services.database.sessions() as session:
        return list(await session.scalars(select(Evidence).order_by(Evidence.id)))


async def test_a_photo_is_downloaded_into_the_store(services: Services) -> None:
    services.fetchers["wechat"] = ScriptedFetcher(files={"m1": PNG})
    await send_photo(services, "m1")
    assert (await rows(services))[0].fetch_status == "pending"
    assert await worker.fetch_due(services) == 1
    item = (await rows(services))[0]
    assert item.fetch_status == "stored" and item.mime == "image/png"
    assert item.sha256 == hashlib.sha256(PNG).hexdigest()
    assert item.blob_key is not None
    assert services.blobs.path(item.blob_key).read_bytes() == PNG
    assert (item.size, item.fetch_attempts, item.next_attempt_at) == (len(PNG), 1, None)
    assert await resend_notices(services) == []
    assert await worker.fetch_due(services) == 0


async def test_passing_failures_are_retried_later(services: Services, clock: Clock) -> None:
    fetcher = ScriptedFetcher(files={"m2": PNG}, errors={"m2": RetryLater("-1 busy")})
    services.fetchers["wechat"] = fetcher
    await send_photo(services, "m2")
    await worker.fetch_due(services)
    assert await worker.fetch_due(services) == 0  # waiting for its backoff
    fetcher.errors.clear()
    clock.advance(minutes=5)
    await worker.fetch_due(services)
    assert (await rows(services))[0].fetch_status == "stored"


async def test_expired_media_asks_the_consumer_to_send_again(
    services: Services, clock: Clock
) -> None:
    services.fetchers["wechat"] = ScriptedFetcher(errors={"m3": MediaExpired("40007 invalid")})
    await send_photo(services, "m3")
    await worker.fetch_due(services)
    item = (await rows(services))[0]
    assert (item.fetch_status, item.last_error) == ("expired", "40007 invalid")
    expected = t("en", "notice.evidence_expired", date=format_date("en", item.received_at))
    assert await resend_notices(services) == [expected]
    assert "send it again" in expected


async def test_after_three_days_a_download_is_not_even_tried(
    services: Services, clock: Clock
) -> None:
    services.fetchers["wechat"] = ScriptedFetcher(files={"m4": PNG, "m4b": PNG})
    await send_photo(services, "m4")
    async with services.database.transaction() as session:  # a Chinese-speaking consumer
        (await session.scalars(select(Identity))).one().language = "zh-CN"
    clock.advance(days=3, seconds=1)
    assert await worker.fetch_due(services) == 1
    assert (await rows(services))[0].fetch_status == "expired"
    [text] = await resend_notices(services)
    assert "请重新发送" in text


async def test_just_under_three_days_it_is_still_downloaded(
    services: Services, clock: Clock
) -> None:
    services.fetchers["wechat"] = ScriptedFetcher(files={"m6": PNG})
    await send_photo(services, "m6")
    clock.advance(days=2, hours=23)
    await worker.fetch_due(services)
    assert (await rows(services))[0].fetch_status == "stored"


async def test_retry_after_and_an_unconfigured_channel(services: Services, clock: Clock) -> None:
    await send_photo(services, "m7")
    await worker.fetch_due(services)  # no fetcher for wechat on this worker
    item = (await rows(services))[0]
    assert (item.fetch_status, item.last_error) == ("pending", "channel not configured")
    assert item.next_attempt_at is not None and item.next_attempt_at <= clock.now + timedelta(
        seconds=2
    )
    fetcher = ScriptedFetcher(errors={"m7": RetryLater("rate limited", retry_after=90)})
    services.fetchers["wechat"] = fetcher
    clock.advance(seconds=3)
    await worker.fetch_due(services)
    item = (await rows(services))[0]
    assert item.next_attempt_at == clock.now + timedelta(seconds=90)
    assert item.fetch_attempts == 2


async def test_a_claimed_download_comes_back_after_the_lease(
    services: Services, clock: Clock
) -> None:
    services.fetchers["wechat"] = ScriptedFetcher(files={"m8": PNG})
    await send_photo(services, "m8")
    lease = timedelta(seconds=services.settings.outbox_lease_seconds)
    async with services.database.transaction() as session:
        claimed = await evidence_fetch.claim_downloads(session=session, now=clock.now, lease=lease)
    assert len(claimed) == 1  # ...and that worker dies
    assert await worker.fetch_due(services) == 0
    clock.advance(seconds=lease.total_seconds() + 1)
    assert await worker.fetch_due(services) == 1
    assert (await rows(services))[0].fetch_status == "stored"


async def test_a_file_the_platform_will_not_give_is_failed(services: Services) -> None:
    services.fetchers["wechat"] = ScriptedFetcher(errors={"m9": Undeliverable("over 10 MB")})
    await send_photo(services, "m9")
    await worker.fetch_due(services)
    item = (await rows(services))[0]
    assert (item.fetch_status, item.last_error) == ("failed", "over 10 MB")
    [text] = await resend_notices(services)
    assert "send it again" in text


async def test_a_file_over_the_size_limit_is_refused(services: Services) -> None:
    services.blobs.max_bytes = 100
    services.fetchers["wechat"] = ScriptedFetcher(files={"m10": PNG + b"\x00" * 200})
    await send_photo(services, "m10")
    await worker.fetch_due(services)
    item = (await rows(services))[0]
    assert (item.fetch_status, item.blob_key) == ("refused", None)
    assert item.last_error is not None and "limit" in item.last_error
    [text] = await resend_notices(services)
    assert t("en", "evidence.too_large") in text


async def test_a_file_of_the_wrong_type_is_refused(services: Services) -> None:
    services.fetchers["wechat"] = ScriptedFetcher(files={"m5": b"MZ" + b"\x00" * 200})
    await send_photo(services, "m5")
    await worker.fetch_due(services)
    item = (await rows(services))[0]
    assert (item.fetch_status, item.blob_key) == ("refused", None)
    assert item.last_error is not None and "not an accepted evidence type" in item.last_error
    [text] = await resend_notices(services)
    assert "cannot be used as evidence" in text
