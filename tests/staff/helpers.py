"""Helpers for staff tests: consumers who file through the web chat, staff who sign in."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from bots.services import Services
from storage import staff as staff_store
from tests.support.driver import COMPLAINT, filed, walk
from tests.support.web_consumer import PNG, WebConsumer

__all__ = ["PASSWORD", "PNG", "WebConsumer", "count", "file_by_chat", "make_staff", "sign_in"]

PASSWORD = "correct horse battery"
async def file_by_chat(consumer: WebConsumer, *, photo: bool = False, **answers: Any) -> str:
    """A consumer files a complaint through the web chat; returns its number."""

    async def send_maybe_with_photo(body: str) -> list[dict[str, Any]]:
        if photo and body == "done":
            await consumer.upload()
        return await consumer.say(body)

    replies = await walk(
        send_maybe_with_photo, {**COMPLAINT, **answers}, until=lambda r: filed(r) is not None
    )
    number = filed(replies)
    assert number is not None
    return number


async def make_staff(services: Services, username: str, role: str) -> None:
    async with services.database.transaction() as session:
        await staff_store.create_staff(
            session=session, username=username, role=role, password=PASSWORD, now=services.now()
        )


async def sign_in(
    http: httpx.AsyncClient, services: Services, role: str, username: str | None = None
) -> dict[str, str]:
    """Create an account with ``role`` and return its Authorization header."""
    username = username or role
    await make_staff(services, username, role)
    response = await http.post(
        "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def count(services: Services, model: Any, *where: Any) -> int:
    async with services.database.sessions() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)
        return int(await session.scalar(query) or 0)
