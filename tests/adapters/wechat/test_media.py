"""Evidence downloads from WeChat's temporary media (``media/get``) into the blob store."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from dialogs.delivery import MediaExpired, RetryLater
from tests.fakes.wechat_api import FakeWeChat

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(300_000)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(200_000)


async def test_photo_is_stored_with_its_sha256(services: Any, fake: FakeWeChat) -> None:
    fake.media["PHOTO_1"] = (JPEG, "image/jpeg")
    blob = await services.blobs.put_stream(services.fetchers["wechat"].fetch("PHOTO_1", "photo"))
    assert (blob.sha256, blob.size, blob.mime) == (
        hashlib.sha256(JPEG).hexdigest(), len(JPEG), "image/jpeg"
    )
    assert services.blobs.open(blob.key).read() == JPEG
    [call] = fake.calls_to("media/get")
    assert call.params["media_id"] == "PHOTO_1"


async def test_video_follows_the_download_url(services: Any, fake: FakeWeChat) -> None:
    fake.media["clip.mp4"] = (MP4, "video/mp4")
    fake.video_urls["VIDEO_1"] = fake.base_url.replace("/cgi-bin/", "/files/clip.mp4")
    blob = await services.blobs.put_stream(services.fetchers["wechat"].fetch("VIDEO_1", "video"))
    assert blob.sha256 == hashlib.sha256(MP4).hexdigest()
    assert str(blob.kind) == "video"
    assert len(fake.calls_to("download")) == 1


@pytest.mark.parametrize("scripted", [40007, None], ids=["40007", "unknown id"])
async def test_expired_media(services: Any, fake: FakeWeChat, scripted: int | None) -> None:
    fake.media["OLD"] = (JPEG, "image/jpeg")
    if scripted is not None:
        fake.script("media/get", scripted)
    media_id = "OLD" if scripted else "NEVER_SEEN"
    with pytest.raises(MediaExpired):
        await services.blobs.put_stream(services.fetchers["wechat"].fetch(media_id, "photo"))


async def test_refused_token_is_refreshed_once(services: Any, fake: FakeWeChat) -> None:
    fake.media["PHOTO_2"] = (JPEG, "image/jpeg")
    fake.script("media/get", 40001)
    blob = await services.blobs.put_stream(services.fetchers["wechat"].fetch("PHOTO_2", "photo"))
    assert blob.size == len(JPEG)
    assert len(fake.calls_to("token")) == 2


async def test_busy_retries(services: Any, fake: FakeWeChat) -> None:
    fake.media["PHOTO_3"] = (JPEG, "image/jpeg")
    fake.script("media/get", -1)
    with pytest.raises(RetryLater):
        await services.blobs.put_stream(services.fetchers["wechat"].fetch("PHOTO_3", "photo"))
    assert not list((services.blobs.root / "tmp").iterdir())  # no half-written file left
