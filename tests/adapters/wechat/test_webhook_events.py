"""``/webhooks/wechat``: events, media, held notices, modes (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from bots.services import Services
from bots.settings import Settings
from bots.web.app import create_app
from storage import outbox
from storage.db import Database
from storage.models import (
    Evidence,
    Identity,
    OutboxNotice,
)
from tests.adapters.wechat.conftest import AES_KEY, reconfigure
from tests.adapters.wechat.flow import counts, server, state_of, walk_to
from tests.adapters.wechat.wire import (
    event_xml,
    next_msg_id,
    text_xml,
)
from tests.conftest import Clock
from tests.fakes.wechat_api import FakeWeChat

# ------------------------------------------------------------------ events and media


async def test_events(client: httpx.AsyncClient, services: Any, fake: FakeWeChat,
                      clock: Clock) -> None:
    wx = server(client, fake, clock)
    ts = int(clock.now.timestamp())
    user = "oUser-events"
    welcome = wx.content(await wx.post(event_xml(user, "subscribe", ts, "qrscene_42")))
    assert "1. " in welcome  # welcome and the menu as a numbered list
    helped = wx.content(await wx.post(event_xml(user, "CLICK", ts + 1, "help")))
    assert helped
    before = await counts(services)
    view = await wx.post(event_xml(user, "VIEW", ts + 2, "https://example.com/"))
    assert (view.status_code, view.text) == (200, "success")
    assert await counts(services) == before
    gone = await wx.post(event_xml(user, "unsubscribe", ts + 3))
    assert (gone.status_code, gone.text) == (200, "success")
    async with services.database.sessions() as session:
        identity = await session.scalar(select(Identity).where(Identity.external_id == user))
    assert identity is not None and identity.unsubscribed_at is not None


async def test_unknown_type_gets_a_polite_answer(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    xml = (f"<xml><ToUserName>gh</ToUserName><FromUserName>oUser-u</FromUserName>"
           f"<CreateTime>{int(clock.now.timestamp())}</CreateTime><MsgType>miniprogrampage"
           f"</MsgType><MsgId>{next_msg_id()}</MsgId></xml>")
    text = wx.content(await wx.post(xml))
    assert "text or a photo" in text


async def test_voice_is_text_outside_evidence_and_evidence_inside(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    user = "oUser-voice"

    def voice(media: str, words: str) -> str:
        return (f"<xml><ToUserName>gh</ToUserName><FromUserName>{user}</FromUserName>"
                f"<CreateTime>{int(clock.now.timestamp())}</CreateTime><MsgType>voice</MsgType>"
                f"<MediaId>{media}</MediaId><Format>amr</Format>"
                f"<Recognition>{words}</Recognition><MsgId>{next_msg_id()}</MsgId></xml>")

    await wx.say(user, "hi")
    await wx.post(voice("VOICE_MENU", "1"))  # "1" spoken at the menu picks the first item
    assert await state_of(services, user) not in (None, "menu", "start")
    await walk_to(wx, services, user, "evidence", "1")
    await wx.post(voice("VOICE_EVIDENCE", "the fridge is warm"))
    async with services.database.sessions() as session:
        rows = (await session.scalars(select(Evidence))).all()
    assert [(e.kind, e.platform_ref, e.caption) for e in rows] == [
        ("audio", "VOICE_EVIDENCE", "the fridge is warm")
    ]


async def test_held_notice_rides_on_the_next_reply(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    from dialogs.replies import Reply

    wx = server(client, fake, clock)
    user = "oUser-held"
    await wx.say(user, "hi")
    async with services.database.transaction() as session:
        identity = await session.scalar(select(Identity).where(Identity.external_id == user))
        assert identity is not None
        notice = await outbox.enqueue(session=session, identity=identity,
                                      replies=[Reply("Your complaint was accepted.")],
                                      now=clock.now)
        notice.status = "held"
    reply = await wx.say(user, "menu")
    assert "Your complaint was accepted." in reply
    async with services.database.sessions() as session:
        stored = await session.scalar(select(OutboxNotice))
    assert stored is not None and stored.status == "sent"


async def test_compatible_mode_reads_the_encrypted_part(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    # Compatible mode sends the plain fields and the Encrypt field side by side; only the
    # encrypted (and signed) part is trusted.
    reconfigure(services, aes_key=AES_KEY)
    wx = server(client, fake, clock, safe=True)
    ts = int(clock.now.timestamp())
    inner = text_xml("oUser-compat", "hi", next_msg_id(), ts)
    envelope = wx.crypto().encrypt_message(inner, wx.nonce, str(ts))
    body = envelope.replace("<xml>", "<xml>" + text_xml("oUser-forged", "x", 1, ts)[5:-6], 1)
    answer = await client.post("/webhooks/wechat", params=wx.params(ts, body),
                               content=body.encode())
    assert wx.content(answer)
    async with services.database.sessions() as session:
        users = (await session.scalars(select(Identity.external_id))).all()
    assert list(users) == ["oUser-compat"]


async def test_channel_off_answers_404(settings: Settings, database: Database) -> None:
    off = Services.build(settings.model_copy(update={"wechat_token": None}))
    assert "wechat" not in off.channels and "wechat" not in off.senders
    transport = httpx.ASGITransport(app=create_app(services=off))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert (await http.get("/webhooks/wechat")).status_code == 404
            answer = await http.post("/webhooks/wechat", content=b"<xml/>")
            assert answer.status_code == 404
        assert (await counts(off))["identities"] == 0
    finally:
        await off.close()
