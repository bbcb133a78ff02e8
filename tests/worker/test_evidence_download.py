"""Evidence downloads: stored with sha256, expired after 3 days, refused types."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select

from adapters.base import MediaExpired, RetryLater
from bots import worker
from bots.services import Services
from dialogs.events import MediaKind, MediaMessage, Platform, TextMessage
from storage.models import Evidence, OutboxNotice
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
    services.fetchers["wechat"] = ScriptedFetcher(errors={"m3": MediaExpired("40007")})
    await send_photo(services, "m3")
    await worker.fetch_due(services)
    assert (await rows(services))[0].fetch_status == "expired"
    async with services.database.sessions() as session:
        notice = (await session.scalars(select(OutboxNotice))).one()
    assert "send it again" in notice.payload["replies"][0]["text"]


async def test_after_three_days_a_download_is_not_even_tried(
    services: Services, clock: Clock
) -> None:
    fetcher = ScriptedFetcher(files={"m4": PNG})
    services.fetchers["wechat"] = fetcher
    await send_photo(services, "m4")
    clock.advance(days=4)
    await worker.fetch_due(services)
    assert (await rows(services))[0].fetch_status == "expired"


async def test_a_file_of_the_wrong_type_is_refused(services: Services) -> None:
    services.fetchers["wechat"] = ScriptedFetcher(files={"m5": b"MZ" + b"\x00" * 200})
    await send_photo(services, "m5")
    await worker.fetch_due(services)
    item = (await rows(services))[0]
    assert (item.fetch_status, item.blob_key) == ("refused", None)
    async with services.database.sessions() as session:
        notice = (await session.scalars(select(OutboxNotice))).one()
    assert "cannot be used as evidence" in notice.payload["replies"][0]["text"]
