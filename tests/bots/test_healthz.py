"""``/healthz`` answers 503 with a reason while migrations are pending."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bots.services import Services
from bots.settings import Settings
from bots.web.app import create_app
from storage.migrate import upgrade
from tests.conftest import PG_ADMIN_URL, _admin


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"weiquan_health_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _health(url: str, tmp_path: Path) -> httpx.Response:
    settings = Settings(database_url=url, var_dir=tmp_path, evidence_dir=tmp_path / "e",
                        secret_key="health-health-health-health-01", run_worker=False,
                        _env_file=None)  # type: ignore[call-arg]
    services = Services.build(settings)
    app = create_app(services=services)
    app.state.services = services
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as http:
            return await http.get("/healthz")
    finally:
        await services.close()


def test_pending_migrations_answer_503_until_upgraded(
    unmigrated_url: str, tmp_path: Path
) -> None:
    empty = asyncio.run(_health(unmigrated_url, tmp_path))
    assert empty.status_code == 503
    assert empty.json()["status"] == "migrations pending"
    assert "no revision" in empty.json()["reason"]
    upgrade(unmigrated_url, "0001")
    behind = asyncio.run(_health(unmigrated_url, tmp_path))
    assert behind.status_code == 503 and "database at 0001" in behind.json()["reason"]
    upgrade(unmigrated_url)
    current = asyncio.run(_health(unmigrated_url, tmp_path))
    assert (current.status_code, current.json()) == (200, {"status": "ok"})
