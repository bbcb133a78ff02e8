"""What a message costs the database: statements counted on the driver connection.

PostgreSQL: ``BEGIN``, the locking read, one statement that saves and records, ``COMMIT``
— four round trips (asyncpg reuses its prepared statements after the first message).
A staff move adds two to the staff member's transaction. SQLite: the same statements,
each one hop to aiosqlite's thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from storage.crypto import FieldCipher
from storage.db import Database
from storage.models import Identity
from storage.turns import join_turn, open_turn
from tests.conftest import empty

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CIPHER = FieldCipher("test-secret-key-test-secret-key")


@pytest.fixture
async def one_connection(db_url: str) -> AsyncIterator[tuple[Database, list[str]]]:
    """A database whose one pooled connection lists every statement it is sent."""
    database = Database(db_url, pool_size=1)
    await empty(database)
    sent: list[str] = []
    async with database.engine.connect() as conn:
        raw: Any = (await conn.get_raw_connection()).driver_connection
        if database.is_sqlite:
            await raw.set_trace_callback(sent.append)
        else:
            raw.add_query_logger(lambda record: sent.append(record.query))
    yield database, sent
    await database.dispose()


async def message(database: Database, key: str, at: datetime) -> None:
    async with open_turn(database, CIPHER) as held:
        locked, stored = await held.lock(
            platform="telegram", external_id="u", language="en", message_key=key
        )
        assert stored is None
        await held.finish(
            locked, locked.dialog(), at, platform="telegram", message_key=key,
            replies=[{"text": "ok"}], resubscribe=True,
        )  # fmt: skip


def shapes(sent: list[str]) -> list[str]:
    return [" ".join(statement.split()).split(" (")[0][:30] for statement in sent]


async def settled(sent: list[str]) -> list[str]:
    await asyncio.sleep(0)  # asyncpg reports a statement in the next loop iteration
    return shapes(sent)


async def test_a_message_is_four_statements(one_connection: tuple[Database, list[str]]) -> None:
    database, sent = one_connection
    await message(database, "m1", NOW)  # first contact creates the consumer
    for n, key in enumerate(("m2", "m3", "m4"), start=1):
        sent.clear()
        await message(database, key, NOW + timedelta(minutes=2 * n))
        statements = await settled(sent)
        if database.is_sqlite:
            assert len(statements) == 6, statements  # BEGIN, read, save, identity, record, COMMIT
            assert statements[0] == "BEGIN IMMEDIATE"
            assert statements[-1] == "COMMIT"
        else:
            assert len(statements) == 4, statements
            assert statements[0].startswith("BEGIN")
            assert "FOR UPDATE OF c" in sent[1]
            assert "INSERT INTO processed_messages" in sent[2]
            assert statements[3].startswith("COMMIT")


async def test_a_message_within_a_minute_skips_the_identity_write_on_sqlite(
    one_connection: tuple[Database, list[str]],
) -> None:
    database, sent = one_connection
    await message(database, "m1", NOW)
    sent.clear()
    await message(database, "m2", NOW + timedelta(seconds=5))
    statements = await settled(sent)
    assert len(statements) == (5 if database.is_sqlite else 4), statements


async def test_a_staff_move_is_two_statements_in_the_staff_transaction(
    one_connection: tuple[Database, list[str]],
) -> None:
    database, sent = one_connection
    await message(database, "m1", NOW)
    async with database.transaction() as session:
        # Staff actions lock the complaint first; here the identity stands in for it.
        identity = (await session.scalars(select(Identity).with_for_update())).one()
        await settled(sent)
        sent.clear()
        held = await join_turn(session, CIPHER)
        locked = await held.lock_identity(identity_id=identity.id, platform=identity.platform)
        await held.save(locked, locked.dialog(), NOW)
        statements = await settled(sent)
    assert len(statements) == 2, statements
    assert "conversations" in sent[0] and "UPDATE conversations" in sent[1]
