"""Database engine and sessions for SQLite (embedded default) and PostgreSQL (scale-out).

SQLite ignores ``SELECT … FOR UPDATE``; instead every transaction starts with
``BEGIN IMMEDIATE`` so writers serialise on the database lock from their first
statement, and a conversation can never be read by two writers at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, cast

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


async def raw_asyncpg(conn: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under SQLAlchemy's (it is there once connected)."""
    return cast(asyncpg.Connection, (await conn.get_raw_connection()).driver_connection)


async def raw_aiosqlite(conn: AsyncConnection) -> Any:
    """The aiosqlite connection under SQLAlchemy's (it is there once connected)."""
    return (await conn.get_raw_connection()).driver_connection


def normalise_url(url: str) -> str:
    """Map bare driver-less URLs to the async drivers we ship.

    SQLAlchemy 2.1 maps ``postgresql://`` to psycopg 3, which we do not install.
    """
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


def _sqlite_setup(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One engine and its session factory.

    Args:
        url: an SQLAlchemy async URL (``sqlite+aiosqlite:///…`` or ``postgresql+asyncpg://…``).
        echo: log SQL statements.
        pool_size: PostgreSQL connections this process keeps (requests beyond wait).
    """

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 20) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            database = parsed.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # No pre-ping: it costs a round trip per message. A connection that died with
            # the server fails one request (503, so the platform retries) and is dropped.
            # No overflow: connections opened past the pool are closed on return, and a
            # burst would then open and close a PostgreSQL backend per request.
            kwargs.update(pool_size=pool_size, max_overflow=0, pool_timeout=10, pool_recycle=1800)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        # expire_on_commit=False: lazy loads fail in async code, and we hand rows out.
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite serves one process: queue its writers in asyncio rather than let them
        # spin in SQLite's busy handler, whose growing sleeps make a long latency tail.
        self._writers: asyncio.Lock | None = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection inside one write transaction (the engine's hot path)."""
        async with self._queue(), self.engine.begin() as conn:
            yield conn

    def writer(self) -> AbstractAsyncContextManager[None]:
        """This process's turn to write to SQLite (a no-op on PostgreSQL)."""
        return self._queue()

    @asynccontextmanager
    async def _queue(self) -> AsyncIterator[None]:
        if self._writers is None:
            yield
        else:
            async with self._writers:
                yield

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self._queue(), self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
