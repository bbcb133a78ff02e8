"""The web chat over HTTP: the page, messages, uploads, notices; and a real server."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select

from bots.app import create_app
from bots.services import Services
from bots.settings import Settings
from storage.db import Database
from storage.models import Complaint, Evidence, ProcessedMessage
from tests.support.driver import COMPLAINT, filed, walk
from tests.support.server import serve_in_thread

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18"
    b"\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def poster(http: httpx.AsyncClient, user: str, lang: str):  # type: ignore[no-untyped-def]
    async def send(body: str) -> list[dict[str, Any]]:
        response = await http.post(
            "/chat/messages", json={"user": user, "text": body, "lang": lang}
        )
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()["replies"]
        return replies

    return send


async def rows(services: Services, model: Any) -> int:
    async with services.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/chat")
    assert response.status_code == 200
    assert "/chat/messages" in response.text


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert "weiquan_messages_total" in (await client.get("/metrics")).text


async def test_a_complaint_with_a_photo_in_english(
    client: httpx.AsyncClient, services: Services
) -> None:
    send = poster(client, "web-en", "en")

    async def send_with_photo(body: str) -> list[dict[str, Any]]:
        if body == "done":
            upload = await client.post(
                "/chat/uploads",
                data={"user": "web-en", "lang": "en"},
                files={"file": ("receipt.png", PNG, "image/png")},
            )
            assert upload.status_code == 200
            assert upload.json()["replies"]
        return await send(body)

    replies = await walk(send_with_photo, COMPLAINT, until=lambda r: filed(r) is not None)
    text = " ".join(r["text"] for r in replies)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text.replace("苏宁易购", ""))
    listing = await send("my complaints")
    assert filed(replies) in str(listing)
    async with services.database.sessions() as session:
        evidence = (await session.scalars(select(Evidence))).one()
    assert evidence.complaint_id is not None and evidence.mime == "image/png"


async def test_a_complaint_in_chinese(client: httpx.AsyncClient) -> None:
    replies = await walk(
        poster(client, "web-zh", "zh-CN"),
        COMPLAINT,
        first="你好",
        until=lambda r: filed(r) is not None,
    )
    assert any("\u4e00" <= ch <= "\u9fff" for ch in replies[0]["text"])


async def test_a_refused_upload_is_polite_and_changes_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    await poster(client, "web-x", "en")("hi")
    before = await rows(services, ProcessedMessage)
    response = await client.post(
        "/chat/uploads",
        data={"user": "web-x", "lang": "en"},
        files={"file": ("virus.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/octet-stream")},
    )
    assert response.status_code == 200
    assert response.json()["replies"][0]["text"]
    assert await rows(services, ProcessedMessage) == before
    assert await rows(services, Evidence) == 0


async def test_bad_requests_get_4xx(client: httpx.AsyncClient, services: Services) -> None:
    assert (await client.post("/chat/messages", json={"text": "hi"})).status_code == 422
    assert (
        await client.post("/chat/messages", json={"user": "a b/c", "text": "hi"})
    ).status_code == 422
    assert (
        await client.post(
            "/chat/messages", content=b"{not json", headers={"content-type": "application/json"}
        )
    ).status_code == 422
    too_long = {"user": "x", "text": "a" * 10_001}
    assert (await client.post("/chat/messages", json=too_long)).status_code == 422
    assert await rows(services, ProcessedMessage) == 0


async def test_odd_text_never_breaks_the_chat(client: httpx.AsyncClient) -> None:
    send = poster(client, "odd", "en")
    for body in ["", " ", "😀" * 50, "\x00\x01\x02", "a" * 10_000, "<script>", "‮abc", "back"]:
        assert await send(body)


async def test_a_resend_with_the_same_id_is_answered_not_applied(
    client: httpx.AsyncClient, services: Services
) -> None:
    body = {"user": "dup", "text": "hi", "message_id": "abc-1"}
    first = (await client.post("/chat/messages", json=body)).json()
    second = (await client.post("/chat/messages", json=body)).json()
    assert first == second
    assert await rows(services, ProcessedMessage) == 1


def test_over_real_http(settings: Settings, database: Any) -> None:
    """The whole web chat through a real uvicorn server and socket."""
    app = create_app(settings)

    async def run(base: str) -> str | None:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            assert (await http.get("/chat")).status_code == 200
            replies = await walk(
                poster(http, "real", "en"), COMPLAINT, until=lambda r: filed(r) is not None
            )
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
    from dialogs.events import Reply
    from storage import outbox
    from storage.models import Identity

    await poster(client, "poll", "en")("hi")
    async with services.database.transaction() as session:
        identity = (await session.scalars(select(Identity))).one()
        await outbox.enqueue(
            session=session, identity=identity, replies=[Reply("Accepted.")], now=services.now()
        )
    first = (await client.get("/chat/notices", params={"user": "poll"})).json()
    second = (await client.get("/chat/notices", params={"user": "poll"})).json()
    nobody = await client.get("/chat/notices", params={"user": "../etc"})
    assert [r["text"] for r in first["replies"]] == ["Accepted."]
    assert second["replies"] == []
    assert nobody.status_code == 200 and nobody.json()["replies"] == []
