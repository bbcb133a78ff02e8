"""Helpers for merchant tests: a registered merchant with a login, a forwarded case."""

from __future__ import annotations

from typing import Any

import httpx

from bots.services import Services
from storage import merchants as merchant_store
from tests.staff.helpers import PASSWORD

VALID_CODE = "91330100716105852F"  # a real code: its check character is F
OTHER_CODE = "914403001922038216"


async def make_merchant(services: Services, name: str = "苏宁易购", **fields: Any) -> int:
    """Register a merchant the way ``weiquan merchant create`` does; returns its id."""
    async with services.database.transaction() as session:
        made = await merchant_store.create_merchant(
            session=session, name=name, now=services.now(), **fields
        )
        return made.id


async def merchant_sign_in(
    http: httpx.AsyncClient, services: Services, merchant_id: int, username: str
) -> dict[str, str]:
    """Make a login for the merchant and return its Authorization header."""
    async with services.database.transaction() as session:
        await merchant_store.create_login(
            session=session, username=username, password=PASSWORD, merchant_id=merchant_id,
            now=services.now(),
        )  # fmt: skip
    response = await http.post(
        "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "merchant"
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def accept_link_forward(
    http: httpx.AsyncClient, staff: dict[str, str], number: str, merchant_id: int,
    note: str | None = "Please answer the consumer.",
) -> dict[str, Any]:  # fmt: skip
    """Staff accept the complaint, link it to the merchant and forward it."""
    moved = await http.post(
        f"/api/v1/complaints/{number}/status", headers=staff,
        json={"status": "accepted", "note": "Accepted.", "notify": False},
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    linked = await http.post(
        f"/api/v1/complaints/{number}/merchant", headers=staff, json={"merchant_id": merchant_id}
    )
    assert linked.status_code == 200, linked.text
    forwarded = await http.post(
        f"/api/v1/complaints/{number}/forward", headers=staff, json={"note": note}
    )
    assert forwarded.status_code == 202, forwarded.text
    body: dict[str, Any] = forwarded.json()
    return body
