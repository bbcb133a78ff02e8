"""Run Alembic migrations programmatically (``weiquan db upgrade``).

Call from synchronous code only: the migration environment runs its own event loop.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from storage.db import Database, normalise_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` down to ``revision``."""
    command.downgrade(alembic_config(url), revision)


@cache
def head_revisions() -> frozenset[str]:
    """The revisions this version of the code expects the database to be at."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def current_revisions(database: Database) -> set[str]:
    """The revisions the database is at (empty when it was never migrated)."""

    # Read directly: MigrationContext logs a dozen INFO lines per call, and /healthz
    # asks on every probe until the schema is current.
    def read(connection: Connection) -> set[str]:
        if not inspect(connection).has_table("alembic_version"):
            return set()
        return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())

    async with database.engine.connect() as conn:
        return await conn.run_sync(read)


async def pending_reason(database: Database) -> str | None:
    """Why the schema is not the one the code expects, or None when it is.

    Raises:
        Exception: whatever the driver raises when the database cannot be reached.
    """
    current, heads = await current_revisions(database), head_revisions()
    if current == heads:
        return None
    at = ", ".join(sorted(current)) or "no revision"
    return f"database at {at}, this version needs {', '.join(sorted(heads))}"
