"""The web chat over HTTP: the page, messages, uploads, notices; and a real server."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select

from bots.services import Services
from bots.settings import Settings
from bots.web.app import create_app
from storage.db import Database
from storage.models import Complaint, Evidence, ProcessedMessage
from tests.support.driver import COMPLAINT, filed, walk
from tests.support.server import serve_in_thread
from tests.support.web_consumer import WebConsumer


async def rows(services: Services, model: Any) -> int:
    async with services.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/chat")
    assert response.status_code == 200
    script = await client.get("/chat/static/chat.js")
    assert "/chat/messages" in script.text and "/chat/history" in script.text


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert "weiquan_messages_total" in (await client.get("/metrics")).text


async def test_a_complaint_with_a_photo_in_english(
    client: httpx.AsyncClient, services: Services
) -> None:
    consumer = WebConsumer.beside(client, lang="en")

    async def send_with_photo(body: str) -> list[dict[str, Any]]:
        if body == "done":
            assert await consumer.upload()
        return await consumer.say(body)

    replies = await walk(send_with_photo, COMPLAINT, until=lambda r: filed(r) is not None)
    text = " ".join(r["text"] for r in replies)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text.replace("苏宁易购", ""))
    listing = await consumer.say("my complaints")
    assert filed(replies) in str(listing)
    async with services.database.sessions() as session:
        evidence = (await session.scalars(select(Evidence))).one()
    assert evidence.complaint_id is not None and evidence.mime == "image/png"


async def test_a_complaint_in_chinese(client: httpx.AsyncClient) -> None:
    replies = await walk(
        WebConsumer.beside(client, lang="zh-CN").say,
        COMPLAINT,
        first="你好",
        until=lambda r: filed(r) is not None,
    )
    assert any("\u4e00" <= ch <= "\u9fff" for ch in replies[0]["text"])


async def test_a_refused_upload_is_polite_and_changes_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    consumer = WebConsumer.beside(client)
    await consumer.say("hi")
    before = await rows(services, ProcessedMessage)
    replies = await consumer.upload(
        b"MZ\x90\x00" + b"\x00" * 100, "virus.exe", "application/octet-stream"
    )
    assert replies[0]["text"]
    assert await rows(services, ProcessedMessage) == before
    assert await rows(services, Evidence) == 0
    assert not [p for p in services.blobs.root.rglob("*") if p.is_file()]


async def test_bad_requests_get_4xx(client: httpx.AsyncClient, services: Services) -> None:
    assert (await client.post("/chat/messages", json={"lang": "en", "text": 5})).status_code == 422
    assert (
        await client.post("/chat/messages", json={"user": "a b/c", "text": "hi"})
    ).status_code == 422
    assert (
        await client.post(
            "/chat/messages", content=b"{not json", headers={"content-type": "application/json"}
        )
    ).status_code == 422
    too_long = {"text": "a" * 10_001}
    assert (await client.post("/chat/messages", json=too_long)).status_code == 422
    assert (await client.post("/chat/uploads", data={"lang": "en"})).status_code == 422
    assert await rows(services, ProcessedMessage) == 0


async def test_odd_text_never_breaks_the_chat(client: httpx.AsyncClient) -> None:
    consumer = WebConsumer.beside(client)
    for body in ["", " ", "😀" * 50, "\x00\x01\x02", "a" * 10_000, "<script>", "‮abc", "back"]:
        assert await consumer.say(body)


async def test_a_resend_with_the_same_id_is_answered_not_applied(
    client: httpx.AsyncClient, services: Services
) -> None:
    consumer = WebConsumer.beside(client)
    first = await consumer.say("hi", message_id="abc-1")
    second = await consumer.say("hi", message_id="abc-1")
    assert first == second
    assert await rows(services, ProcessedMessage) == 1


def test_over_real_http(settings: Settings, database: Any) -> None:
    """The whole web chat through a real uvicorn server and socket."""
    app = create_app(settings)

    async def run(base: str) -> str | None:
        async with WebConsumer.at(base) as consumer:
            assert (await consumer.http.get("/chat")).status_code == 200
            assert consumer.cookie is not None
            replies = await walk(consumer.say, COMPLAINT, until=lambda r: filed(r) is not None)
            return filed(replies)

    with serve_in_thread(app) as base:
        number = asyncio.run(run(base))
    assert number is not None

    async def stored() -> int:
        fresh = Database(settings.database_url)
        try:
            async with fresh.sessions() as session:
                return int(await session.scalar(select(func.count()).select_from(Complaint)) or 0)
        finally:
            await fresh.dispose()

    assert asyncio.run(stored()) == 1


async def test_the_page_polls_for_notices_once(
    client: httpx.AsyncClient, services: Services
) -> None:
    from dialogs.replies import Reply
    from storage import outbox
    from storage.models import Identity

    consumer = WebConsumer.beside(client)
    await consumer.say("hi")
    async with services.database.transaction() as session:
        identity = (await session.scalars(select(Identity))).one()
        await outbox.enqueue(
            session=session, identity=identity, replies=[Reply("Accepted.")], now=services.now()
        )
    first = await consumer.notices()
    second = await consumer.notices()
    assert [r["text"] for r in first] == ["Accepted."]
    assert second == []
    # A browser without the cookie gets nothing, whatever it names in the URL.
    nobody = await client.get("/chat/notices", params={"user": identity.external_id})
    assert nobody.status_code == 200 and nobody.json()["replies"] == []
