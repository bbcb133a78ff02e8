"""Shared fixtures: real SQLite and PostgreSQL databases, services, an HTTP client.

Every database test runs twice, on SQLite and on PostgreSQL. PostgreSQL is part of what
we test: when it cannot be reached the tests fail, they are never skipped.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from bots.settings import Settings
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Base

PG_ADMIN_URL = os.environ.get(
    "WEIQUAN_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


# ------------------------------------------------------------------ no network


_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        if not (host.startswith("127.") or host in ("::1", "localhost")):
            raise RuntimeError(f"test tried to reach {host}: tests never leave the machine")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that would leave the machine."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


# ------------------------------------------------------------------ databases


async def _admin(sql: str) -> None:
    import asyncpg

    dsn = PG_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated to head."""
    name = f"weiquan_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # fail, never skip: the real database is part of the test
        pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc!r}", pytrace=False)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh SQLite file for this test run, migrated to head."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'weiquan.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each database test runs on SQLite and on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


async def empty(database: Database) -> None:
    """Remove every row (tests that manage their own database call this)."""
    tables = list(reversed(Base.metadata.sorted_tables))
    async with database.transaction() as session:
        if database.is_sqlite:
            for table in tables:
                await session.execute(table.delete())
        else:
            names = ", ".join(f'"{t.name}"' for t in tables)
            await session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    """An empty database (tables truncated before the test)."""
    db = Database(db_url)
    await empty(db)
    yield db
    await db.dispose()


# ------------------------------------------------------------------ services


class Clock:
    """A settable clock for the engine: tests move time instead of sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings for one test: its own evidence folder and secret."""
    return Settings(
        database_url=db_url,
        evidence_dir=tmp_path / "evidence",
        var_dir=tmp_path / "var",
        secret_key="test-secret-key-test-secret-key",
        run_worker=False,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def services(settings: Settings, database: Database, clock: Clock) -> AsyncIterator[Any]:
    """The services of one process, on an empty database, with a settable clock."""
    from bots.services import Services

    built = Services.build(settings)
    built.engine.clock = clock
    yield built
    await built.close()


@pytest.fixture
async def client(services: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    from bots.web.app import create_app

    app = create_app(services=services)
    app.state.services = services
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


# ------------------------------------------------------------------ redis

REDIS_URL = os.environ.get("WEIQUAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def redis_keys() -> AsyncIterator[str]:
    """A key prefix of this test's own on the test Redis; its keys are deleted afterwards."""
    from redis.asyncio import Redis

    prefix = f"weiquan-test-{uuid.uuid4().hex}:"
    yield prefix
    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    keys = [key async for key in redis.scan_iter(f"{prefix}*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()
