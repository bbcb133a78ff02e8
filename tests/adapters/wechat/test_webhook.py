"""``/webhooks/wechat`` through the app, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from adapters.wechat.verify import signature
from storage.models import (
    Complaint,
    ConversationRow,
    Evidence,
)
from tests.adapters.wechat.conftest import AES_KEY, TOKEN, reconfigure
from tests.adapters.wechat.flow import PNG, counts, server, walk_to
from tests.adapters.wechat.wire import (
    event_xml,
    next_msg_id,
    text_xml,
)
from tests.conftest import Clock
from tests.fakes.wechat_api import FakeWeChat

# ------------------------------------------------------------------ URL verification


async def test_url_verification(client: httpx.AsyncClient, clock: Clock) -> None:
    ts = str(int(clock.now.timestamp()))
    good = {"signature": signature(TOKEN, ts, "42"), "timestamp": ts, "nonce": "42",
            "echostr": "1616140317555161061"}
    answer = await client.get("/webhooks/wechat", params=good)
    assert (answer.status_code, answer.text) == (200, "1616140317555161061")
    forged = await client.get("/webhooks/wechat", params={**good, "signature": "0" * 40})
    assert forged.status_code == 403
    old = str(int(clock.now.timestamp()) - 301)
    stale = {**good, "timestamp": old, "signature": signature(TOKEN, old, "42")}
    assert (await client.get("/webhooks/wechat", params=stale)).status_code == 403


# ------------------------------------------------------------------ a whole complaint


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
async def test_complete_complaint_with_a_photo(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock, safe: bool
) -> None:
    reconfigure(services, aes_key=AES_KEY if safe else None)
    wx = server(client, fake, clock, safe=safe)
    user = "oUser-complainant"
    reply = await walk_to(wx, services, user, "evidence", "hi")
    assert "evidence" in reply.lower()
    received = await wx.send_image(user, "MEDIA_PHOTO_1")
    assert received, "a photo gets an acknowledgement"
    reply = await walk_to(wx, services, user, "confirm", "done")
    assert "Suning ]]> <Shop>" in reply  # echoed inside CDATA without breaking the XML
    reply = await wx.say(user, "1")
    number = re.search(r"\b(\d{14})\b", reply)
    assert number, reply
    async with services.database.sessions() as session:
        complaint = await session.scalar(select(Complaint))
        evidence = (await session.scalars(select(Evidence))).all()
    assert complaint is not None and complaint.number == number.group(1)
    assert complaint.platform == "wechat"
    assert [(e.platform_ref, e.fetch_status, e.complaint_id) for e in evidence] == [
        ("MEDIA_PHOTO_1", "pending", complaint.id)
    ]
    # The worker's download step: the photo ends up in the store under its sha256.
    fake.media["MEDIA_PHOTO_1"] = (PNG, "image/png")
    blob = await services.blobs.put_stream(
        services.fetchers["wechat"].fetch("MEDIA_PHOTO_1", "photo")
    )
    assert blob.sha256 == hashlib.sha256(PNG).hexdigest()
    assert services.blobs.open(blob.key).read() == PNG
    # The consumer checks progress from the menu.
    listing = wx.content(await wx.post(event_xml(user, "CLICK", int(clock.now.timestamp()) + 1,
                                                 "my_complaints")))
    assert number.group(1) in listing


# ------------------------------------------------------------------ retries


async def test_retry_storm_applies_once(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    user = "oUser-retry"
    await wx.say(user, "hi")
    before = await counts(services)
    xml = text_xml(user, "1", next_msg_id(), int(clock.now.timestamp()))
    first = await wx.post(xml)
    concurrent = await asyncio.gather(wx.post(xml), wx.post(xml))
    last = await wx.post(xml)
    bodies = {r.text for r in [first, *concurrent, last]}
    assert [r.status_code for r in [first, *concurrent, last]] == [200] * 4
    assert len(bodies) == 1
    after = await counts(services)
    assert after["processed_messages"] == before["processed_messages"] + 1
    async with services.database.sessions() as session:
        version = await session.scalar(select(ConversationRow.version))
    assert version == 2  # "hi" and one application of "1"


async def test_concurrent_first_copies(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    xml = text_xml("oUser-race", "hi", next_msg_id(), int(clock.now.timestamp()))
    answers = await asyncio.gather(*(wx.post(xml) for _ in range(4)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    assert (await counts(services))["processed_messages"] == 1


# ------------------------------------------------------------------ bad input


def _bad_cases(clock: Clock) -> list[tuple[str, dict[str, str] | None, bytes, int]]:
    ts = int(clock.now.timestamp())
    xml = text_xml("oUser-bad", "hello", 1, ts)
    return [
        ("bad signature", {"signature": "f" * 40}, xml.encode(), 403),
        ("no signature", {"signature": ""}, xml.encode(), 403),
        ("stale timestamp", {"timestamp": str(ts - 3600)}, xml.encode(), 403),
        ("1 MB body", None, b"<xml>" + b"a" * 1_000_000 + b"</xml>", 413),
        ("billion laughs", None, b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY l2 '
         b'"&lol;&lol;&lol;">]><xml><Content>&l2;</Content></xml>', 400),
        ("external entity", None, b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
         b"<xml><Content>&e;</Content></xml>", 400),
        ("missing MsgType", None, xml.replace("<MsgType><![CDATA[text]]></MsgType>", "").encode(),
         400),
        ("garbage", None, b"\x00\x01\x02\xff garbage", 400),
        ("empty", None, b"", 400),
        ("aes without a configured key", {"encrypt_type": "aes", "msg_signature": "0" * 40},
         b"<xml><Encrypt>AAAA</Encrypt></xml>", 400),
    ]


@pytest.mark.parametrize("case", range(10))
async def test_bad_input_writes_nothing(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock, case: int
) -> None:
    name, override, body, status = _bad_cases(clock)[case]
    wx = server(client, fake, clock)
    await wx.say("oUser-bad", "hi")
    before = await counts(services)
    ts = int(clock.now.timestamp())
    params = {**wx.params(ts), **(override or {})}
    if "timestamp" in (override or {}):
        params["signature"] = signature(TOKEN, params["timestamp"], wx.nonce)
    answer = await client.post("/webhooks/wechat", params=params, content=body)
    assert answer.status_code == status, (name, answer.text)
    assert await counts(services) == before, name


async def test_safe_mode_with_a_forged_ciphertext_signature_is_refused(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    reconfigure(services, aes_key=AES_KEY)
    wx = server(client, fake, clock, safe=True)
    ts = int(clock.now.timestamp())
    body = wx.crypto().encrypt_message(text_xml("oUser-x", "hi", 5, ts), wx.nonce, str(ts))
    params = {**wx.params(ts, body), "msg_signature": "a" * 40}
    answer = await client.post("/webhooks/wechat", params=params, content=body.encode())
    assert answer.status_code == 403
    assert (await counts(services))["identities"] == 0


async def test_replay_window_zero_turns_the_check_off(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    reconfigure(services, replay_window=0)
    wx = server(client, fake, clock)
    answer = await wx.post(text_xml("oUser-old", "hi", next_msg_id(), 1409659813),
                           timestamp=1409659813)
    assert answer.status_code == 200
    assert wx.content(answer)
