"""The per-message storage path: locking, dedupe rows, saving — SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dialogs.events import Conversation as DialogConversation
from storage import conversations
from storage.db import Database
from storage.models import Conversation, Identity

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


async def test_first_contact_creates_identity_and_conversation(database: Database) -> None:
    async with database.engine.begin() as conn:
        locked = await conversations.lock(conn, platform="web", external_id="a", language="en")
    assert (locked.state, locked.version, locked.language) == ("start", 0, "en")
    assert locked.dialog().updated_at is None


async def test_replies_are_stored_with_the_key_and_replayed(database: Database) -> None:
    async with database.engine.begin() as conn:
        locked = await conversations.lock(conn, platform="web", external_id="a", language="en")
        assert await conversations.stored_replies(conn, platform="web", message_key="k") is None
        await conversations.record_message(
            conn,
            platform="web",
            message_key="k",
            identity_id=locked.identity_id,
            replies=[{"text": "hello"}],
            now=NOW,
        )
    async with database.engine.begin() as conn:
        again = await conversations.stored_replies(conn, platform="web", message_key="k")
        other = await conversations.stored_replies(conn, platform="telegram", message_key="k")
    assert again == [{"text": "hello"}]
    assert other is None


async def test_a_duplicate_key_cannot_be_recorded_twice(database: Database) -> None:
    async with database.engine.begin() as conn:
        locked = await conversations.lock(conn, platform="web", external_id="a", language="en")
        await conversations.record_message(
            conn,
            platform="web",
            message_key="k",
            identity_id=locked.identity_id,
            replies=[],
            now=NOW,
        )
    with pytest.raises(IntegrityError):
        async with database.engine.begin() as conn:
            await conversations.record_message(
                conn,
                platform="web",
                message_key="k",
                identity_id=locked.identity_id,
                replies=[],
                now=NOW,
            )


async def test_save_writes_state_and_touches_the_identity_sparingly(database: Database) -> None:
    async with database.engine.begin() as conn:
        locked = await conversations.lock(conn, platform="web", external_id="a", language="en")
        conv = DialogConversation(
            state="menu", answers={"x": 1}, language="zh-CN", language_chosen=True
        )
        await conversations.save(conn, locked, conv, NOW)
    async with database.engine.begin() as conn:
        locked = await conversations.lock(conn, platform="web", external_id="a", language="en")
        await conversations.save(conn, locked, locked.dialog(), NOW + timedelta(seconds=5))
    async with database.sessions() as session:
        identity = (await session.scalars(select(Identity))).one()
        row = (await session.scalars(select(Conversation))).one()
    assert (row.state, row.answers, row.version) == ("menu", {"x": 1}, 2)
    assert (identity.language, identity.language_chosen) == ("zh-CN", True)
    # Within a minute the inbound time is not rewritten: one write saved per message.
    assert identity.last_inbound_at == NOW


async def test_identity_is_created_once_under_concurrency(database: Database) -> None:
    async def get() -> int:
        async with database.engine.begin() as conn:
            locked = await conversations.lock(
                conn, platform="telegram", external_id="42", language="en"
            )
            return locked.identity_id

    ids = await asyncio.gather(*(get() for _ in range(5)))
    assert len(set(ids)) == 1


async def test_the_lock_makes_a_second_writer_wait(database: Database) -> None:
    order: list[str] = []

    async def writer(name: str, hold: float) -> None:
        async with database.engine.begin() as conn:
            locked = await conversations.lock(conn, platform="web", external_id="w", language="en")
            order.append(f"{name}:{locked.version}")
            await asyncio.sleep(hold)
            await conversations.save(conn, locked, locked.dialog(), NOW)

    async with database.engine.begin() as conn:
        await conversations.lock(conn, platform="web", external_id="w", language="en")
    await asyncio.gather(writer("a", 0.2), writer("b", 0))
    # Whoever came second saw the first one's write.
    assert sorted(v.split(":")[1] for v in order) == ["0", "1"]
