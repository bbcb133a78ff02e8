"""Staff sign-in: tokens, expiry, no account enumeration, rate limits, roles, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy

from bots.services import Services
from storage.models import AuditEntry, Staff
from tests.staff.helpers import PASSWORD, count, make_staff, sign_in

TOKEN = "/api/v1/auth/token"


async def test_a_token_opens_the_api_and_is_audited(
    client: httpx.AsyncClient, services: Services
) -> None:
    headers = await sign_in(client, services, "agent", "li")
    listed = await client.get("/api/v1/complaints", headers=headers)
    assert listed.status_code == 200
    assert listed.json() == {"total": 0, "page": 1, "per_page": 50, "items": []}
    assert await count(services, AuditEntry, AuditEntry.action == "auth.token") == 1


async def test_unknown_name_and_wrong_password_get_the_same_answer(
    client: httpx.AsyncClient, services: Services
) -> None:
    await make_staff(services, "wang", "agent")
    wrong = await client.post(TOKEN, data={"username": "wang", "password": "not it at all"})
    unknown = await client.post(TOKEN, data={"username": "nobody", "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "incorrect username or password"}


async def test_failed_sign_ins_are_limited_per_name_and_address(
    client: httpx.AsyncClient, services: Services
) -> None:
    await make_staff(services, "zhao", "agent")
    for _ in range(5):
        bad = await client.post(TOKEN, data={"username": "zhao", "password": "guess-guess"})
        assert bad.status_code == 401
    blocked = await client.post(TOKEN, data={"username": "zhao", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    # Another name from the same address is not locked out by zhao's failures.
    await make_staff(services, "qian", "agent")
    other = await client.post(TOKEN, data={"username": "qian", "password": PASSWORD})
    assert other.status_code == 200


async def test_missing_bad_and_expired_tokens_get_401(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await client.get("/api/v1/complaints")).status_code == 401
    bad = await client.get("/api/v1/complaints", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    assert "expired" in bad.json()["detail"]
    await make_staff(services, "sun", "agent")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 9 * 3600)
    old = (await client.post(TOKEN, data={"username": "sun", "password": PASSWORD})).json()
    monkeypatch.setattr(time, "time", real_time)
    expired = await client.get(
        "/api/v1/complaints", headers={"Authorization": f"Bearer {old['access_token']}"}
    )
    assert expired.status_code == 401


async def test_a_disabled_account_stops_at_once(
    client: httpx.AsyncClient, services: Services
) -> None:
    headers = await sign_in(client, services, "agent", "zhou")
    async with services.database.transaction() as session:
        await session.execute(sqlalchemy.update(Staff).values(active=False))
    assert (await client.get("/api/v1/complaints", headers=headers)).status_code == 401


async def test_roles_reach_only_what_they_allow(
    client: httpx.AsyncClient, services: Services
) -> None:
    agent = await sign_in(client, services, "agent")
    supervisor = await sign_in(client, services, "supervisor")
    admin = await sign_in(client, services, "admin")
    supervisor_only = [
        ("GET", "/api/v1/statistics", None),
        ("GET", "/api/v1/complaints.csv", None),
        ("GET", "/api/v1/outbox/dead", None),
        ("POST", "/api/v1/notices/bulk", {"text": "hello"}),
    ]
    for method, url, body in supervisor_only:
        refused = await client.request(method, url, headers=agent, json=body)
        assert refused.status_code == 403, url
        assert "supervisor" in refused.json()["detail"]
        assert (await client.request(method, url, headers=supervisor, json=body)).status_code in (
            200,
            202,
        )
    new = {"username": "wu", "role": "agent", "password": "long enough pw"}
    assert (await client.post("/api/v1/staff", headers=supervisor, json=new)).status_code == 403
    assert (await client.post("/api/v1/staff", headers=admin, json=new)).status_code == 201
    again = await client.post("/api/v1/staff", headers=admin, json=new)
    assert again.status_code == 422 and "taken" in again.json()["detail"]
    listed = (await client.get("/api/v1/staff", headers=admin)).json()["items"]
    assert {s["username"] for s in listed} == {"agent", "supervisor", "admin", "wu"}
    assert all("password" not in str(s) for s in listed)


def test_cli_creates_an_account_with_the_password_from_stdin(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    env = {
        **os.environ,
        "WEIQUAN_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "WEIQUAN_VAR_DIR": str(tmp_path / "var"),
    }
    run = [sys.executable, "-m", "bots.cli", "staff", "create", "liu", "--role", "supervisor"]
    done = subprocess.run(
        run, env=env, input=f"{PASSWORD}\n", capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    engine = sqlalchemy.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        row = conn.execute(sqlalchemy.text("SELECT role, password_hash FROM staff")).one()
    assert row.role == "supervisor" and row.password_hash.startswith("$argon2id$")
    bad = subprocess.run(
        [*run[:-2], "--role", "boss"],
        env=env,
        input="x\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "role" in bad.stderr


async def test_the_login_limiters_redis_connection_closes_with_the_services(
    settings: Any, database: Any
) -> None:
    from redis.asyncio import Redis

    from bots.web.app import create_app

    name = f"weiquan-test-{time.monotonic_ns()}"
    shared = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:6379/0?client_name={name}"})
    services = Services.build(shared)
    app = create_app(services=services)
    app.state.services = services
    transport = httpx.ASGITransport(app=app)
    observer = Redis()

    async def connections() -> int:
        clients = await observer.client_list()
        return sum(1 for c in clients if c.get("name") == name)

    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            await http.post(TOKEN, data={"username": "nobody", "password": "not it at all"})
        assert await connections() >= 1
        await services.close()
        assert await connections() == 0
    finally:
        await observer.aclose()
