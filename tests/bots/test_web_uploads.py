"""Web chat uploads: stored only when they become evidence, and limited per consumer."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy import func, select

from bots.services import Services
from bots.settings import Settings
from bots.web.app import create_app
from storage.db import Database
from storage.models import Evidence
from tests.support.driver import COMPLAINT, question, walk
from tests.support.web_consumer import PNG, WebConsumer

KEY = re.compile(r"[0-9a-f]{64}")


def stored_files(root: Path) -> list[Path]:
    """Files in the evidence store under a blob key."""
    return [p for p in root.rglob("*") if p.is_file() and KEY.fullmatch(p.name)]


def staged_files(root: Path) -> list[Path]:
    staging = root / "staging"
    return list(staging.iterdir()) if staging.exists() else []


def photo(n: int) -> bytes:
    """A distinct PNG each time (the store keeps identical content once)."""
    return PNG + n.to_bytes(4, "big")


async def evidence_rows(services: Services) -> int:
    async with services.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Evidence)) or 0)


async def at_the_evidence_step(consumer: WebConsumer) -> None:
    def asked(replies: list[dict[str, Any]]) -> bool:
        step = question(replies)
        return step is not None and step["step"] == "evidence"

    await walk(consumer.say, COMPLAINT, until=asked)


async def test_an_upload_is_kept_only_at_the_evidence_step(
    client: httpx.AsyncClient, services: Services
) -> None:
    root = services.blobs.root
    # A browser the bot has never seen, then one at the main menu: nothing takes a file.
    stranger = WebConsumer.beside(client)
    assert await stranger.upload(photo(1))
    visitor = WebConsumer.beside(client)
    await visitor.say("hi")
    assert await visitor.upload(photo(2))
    assert stored_files(root) == []
    assert staged_files(root) == []
    assert await evidence_rows(services) == 0
    # At the evidence step the file becomes evidence and is stored once.
    consumer = WebConsumer.beside(client)
    await at_the_evidence_step(consumer)
    replies = await consumer.upload(photo(3))
    assert "1" in replies[-1]["text"]
    files = stored_files(root)
    assert len(files) == 1 and files[0].read_bytes() == photo(3)
    assert staged_files(root) == []
    assert await evidence_rows(services) == 1


async def test_a_resent_upload_is_answered_once_and_its_file_kept(
    client: httpx.AsyncClient, services: Services
) -> None:
    consumer = WebConsumer.beside(client)
    await at_the_evidence_step(consumer)
    first = await consumer.upload(photo(4), message_id="up-1")
    again = await consumer.upload(photo(4), message_id="up-1")
    assert first == again
    assert await evidence_rows(services) == 1
    assert len(stored_files(services.blobs.root)) == 1
    assert staged_files(services.blobs.root) == []


async def test_uploads_beyond_the_hourly_limit_are_refused_politely(
    client: httpx.AsyncClient, services: Services
) -> None:
    services.settings.uploads_per_hour = 3
    root = services.blobs.root
    english = WebConsumer.beside(client, lang="en")
    await at_the_evidence_step(english)
    for n in range(3):
        await english.upload(photo(n))
    assert await evidence_rows(services) == 3
    refused = await english.upload(photo(99))
    assert refused == [
        {
            "text": "You have sent many files in the last hour. "
            "Please wait a while before sending more.",
            "choices": [],
            "step": None,
            "multi": False,
            "progress": None,
            "lang": None,
            "sender": None,
        }
    ]
    assert await evidence_rows(services) == 3
    assert len(stored_files(root)) == 3 and staged_files(root) == []
    # The limit is per consumer, and the refusal speaks the consumer's language.
    chinese = WebConsumer.beside(client, lang="zh-CN")
    await at_the_evidence_step(chinese)
    for n in range(10, 13):
        await chinese.upload(photo(n))
    refused_zh = await chinese.upload(photo(13))
    assert refused_zh[0]["text"] == "您在一小时内发送的文件较多，请稍后再发送。"
    assert await evidence_rows(services) == 6


async def test_with_redis_the_limit_is_shared_by_every_process(
    settings: Settings, database: Database
) -> None:
    # Two apps stand for two replicas: the same consumer's uploads count once in Redis.
    name = f"weiquan-uploads-{time.monotonic_ns()}"
    shared = settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:6379/0?client_name={name}", "uploads_per_hour": 2}
    )
    replicas = [Services.build(shared), Services.build(shared)]
    consumers = []
    for services in replicas:
        app = create_app(services=services)
        app.state.services = services
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        consumers.append(WebConsumer(http))
    observer = Redis()
    try:
        first, second = consumers
        await first.upload(photo(1))
        assert first.cookie is not None
        second.http.cookies.set("weiquan_chat", first.cookie)
        await second.upload(photo(2))
        refused = await second.upload(photo(3))
        assert refused[0]["text"].startswith("You have sent many files")
        assert await sum_connections(observer, name) >= 1
    finally:
        for consumer in consumers:
            await consumer.http.aclose()
        for services in replicas:
            await services.close()
    try:
        assert await sum_connections(observer, name) == 0
    finally:
        await observer.aclose()


async def sum_connections(observer: Redis, name: str) -> int:
    clients = await observer.client_list()
    return sum(1 for c in clients if c.get("name") == name)
