"""Evidence is served inert: nosniff, a sandbox CSP, a generated name, inline only for
images, audio, video and PDF — in the staff API and in the console."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update

from storage.models import Evidence
from tests.hostile.conftest import Staff
from tests.staff.helpers import PNG, WebConsumer, file_by_chat


async def _downloads(staff: Staff, client: httpx.AsyncClient, number: str) -> list[httpx.Response]:
    detail = (await client.get(f"/api/v1/complaints/{number}", headers=staff.bearer)).json()
    (item,) = detail["evidence"]
    return [
        await client.get(item["download"], headers=staff.bearer),
        await staff.console.get(f"/console/complaints/{number}/evidence/{item['id']}"),
    ]


async def test_evidence_is_served_with_safety_headers_and_a_generated_name(
    client: httpx.AsyncClient, services: Any, staff: Staff, consumer: Any
) -> None:
    async with consumer() as web:
        number = await file_by_chat(WebConsumer(web), photo=True)
    for got in await _downloads(staff, client, number):
        assert got.status_code == 200 and got.content == PNG
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-security-policy"] == "sandbox"
        assert got.headers["content-type"] == "image/png"
        disposition = got.headers["content-disposition"]
        assert disposition.startswith("inline; ")
        assert f'filename="evidence-{number}-' in disposition and disposition.endswith('.png"')
        assert "receipt" not in disposition  # the consumer's own file name is not used

    for mime, shown, disposition in [
        ("application/pdf", "application/pdf", "inline"),
        ("video/mp4", "video/mp4", "inline"),
        ("audio/ogg", "audio/ogg", "inline"),
        ("text/html", "application/octet-stream", "attachment"),
        ("image/svg+xml", "application/octet-stream", "attachment"),
        ("application/zip", "application/octet-stream", "attachment"),
        ('text/html"\r\nX-Injected: 1', "application/octet-stream", "attachment"),
    ]:
        async with services.database.transaction() as session:
            await session.execute(update(Evidence).values(mime=mime))
        for got in await _downloads(staff, client, number):
            assert got.status_code == 200
            assert got.headers["content-type"].split(";")[0] == shown
            assert got.headers["content-disposition"].split(";")[0] == disposition
            assert got.headers["x-content-type-options"] == "nosniff"
            assert got.headers["content-security-policy"] == "sandbox"
            assert "x-injected" not in got.headers
