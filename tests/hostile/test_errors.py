"""One error shape, ``{"detail": "…"}``, that never quotes the input; header limits."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from bots.settings import Settings
from bots.web.app import create_app
from tests.hostile.conftest import Staff
from tests.hostile.send import FORM, JSON, form_bytes, json_bytes
from tests.support.server import serve_in_thread


async def test_a_validation_error_names_the_field_and_quotes_nothing(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    secret = "hunt3r!"
    short_password = await client.post(
        "/api/v1/staff",
        content=json_bytes({"username": "new-agent", "role": "agent", "password": secret}),
        headers={**staff.bearer, **JSON},
    )
    assert short_password.status_code == 422
    assert short_password.json() == {"detail": "password: String should have at least 8 characters"}
    assert secret not in short_password.text

    long_text = "投诉" * 5001
    too_long = await client.post(
        "/chat/messages", content=json_bytes({"user": "long", "text": long_text}), headers=JSON
    )
    assert too_long.status_code == 422
    assert too_long.json() == {"detail": "text: String should have at most 10000 characters"}

    wrong_type = await client.post(
        "/chat/messages", content=json_bytes({"user": "t", "text": ["投诉" * 100]}), headers=JSON
    )
    assert wrong_type.json() == {"detail": "text: Input should be a valid string"}

    missing = await client.post(
        f"/api/v1/complaints/{staff.number}/notes", content=b"{}",
        headers={**staff.bearer, **JSON},
    )  # fmt: skip
    assert missing.status_code == 422 and missing.json() == {"detail": "text: Field required"}

    several = await client.post(
        "/api/v1/staff", content=b'{"role": 1}', headers={**staff.bearer, **JSON}
    )
    assert several.json() == {"detail": "username: Field required (and 2 more)"}

    not_json = await client.post("/chat/messages", content=b'{"user": "x", "te', headers=JSON)
    assert not_json.json() == {"detail": "the body is not valid JSON"}

    form = await client.post(
        "/api/v1/auth/token", content=form_bytes({"username": "x" * 5000}), headers=FORM
    )
    assert form.status_code == 422 and form.json() == {"detail": "password: Field required"}


async def test_http_errors_keep_the_detail_shape(client: httpx.AsyncClient, staff: Staff) -> None:
    assert (await client.get("/no/such/page")).json() == {"detail": "Not Found"}
    wrong_method = await client.delete("/chat/messages")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": "Method Not Allowed"}
    unknown = await client.get("/api/v1/complaints/20990101000001", headers=staff.bearer)
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "no complaint 20990101000001"}
    unsigned = await client.get("/api/v1/complaints")
    assert unsigned.status_code == 401 and set(unsigned.json()) == {"detail"}
    # The console still redirects to its sign-in page.
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as anon:
        page = await anon.get("/console/complaints")
    assert page.status_code == 303
    assert page.headers["location"] == "/console/login?next=%2Fconsole%2Fcomplaints"


async def test_request_headers_over_64_kib_get_431_in_process(client: httpx.AsyncClient) -> None:
    big = await client.get("/healthz", headers={"X-Padding": "a" * (65 * 1024)})
    assert big.status_code == 431
    assert big.json() == {"detail": "request headers too large"}
    assert (await client.get("/healthz", headers={"X-Padding": "a" * 1024})).status_code == 200


@pytest.mark.parametrize("parser", ["h11", "httptools"])
def test_request_headers_over_64_kib_get_a_4xx_from_the_served_app(
    parser: str, settings: Settings, database: Any
) -> None:
    """httptools passes large headers to the app, which answers 431; h11 refuses them
    itself with a 400 and closes, and may reset the connection before the client reads
    the answer. Either way the server never answers 5xx and goes on serving."""
    app = create_app(settings)

    async def one(base: str, headers: dict[str, str]) -> int | None:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            try:
                return (await http.get("/healthz", headers=headers)).status_code
            except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
                return None  # closed by the server before an answer was read

    async def run(base: str) -> list[int | None]:
        return [
            await one(base, {"X-Padding": "a" * (70 * 1024)}),
            await one(base, {f"X-H{i}": "b" * 100 for i in range(1000)}),
            await one(base, {}),
        ]

    with serve_in_thread(app, http=parser) as base:
        *refused, after = asyncio.run(run(base))
    if parser == "httptools":
        assert refused == [431, 431]
    else:
        assert all(status is None or 400 <= status < 500 for status in refused), refused
    assert after == 200
