"""The per-message storage path: locking, dedupe rows, saving — SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from dialogs.events import Conversation as DialogConversation
from storage import conversations, processed
from storage.crypto import FieldCipher
from storage.db import Database
from storage.models import Conversation, Identity
from storage.processed import Stored

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CIPHER = FieldCipher("test-secret-key-test-secret-key")


async def _lock(conn: AsyncConnection, user: str) -> conversations.Locked:
    return await conversations.lock(
        conn, platform="web", external_id=user, language="en", cipher=CIPHER
    )


async def test_first_contact_creates_identity_and_conversation(database: Database) -> None:
    async with database.engine.begin() as conn:
        locked = await _lock(conn, "a")
    assert (locked.state, locked.version, locked.language) == ("start", 0, "en")
    assert locked.dialog().updated_at is None


async def test_replies_are_stored_with_the_key_and_replayed(database: Database) -> None:
    async with database.engine.begin() as conn:
        locked = await _lock(conn, "a")
        assert await processed.stored_replies(
            conn, platform="web", identity_id=locked.identity_id, message_key="k", cipher=CIPHER
        ) is None
        await processed.record_message(
            conn,
            platform="web",
            message_key="k",
            identity_id=locked.identity_id,
            replies=[{"text": "hello"}],
            now=NOW,
            cipher=CIPHER,
        )
    async with database.engine.begin() as conn:
        other_user = await conversations.lock(
            conn, platform="web", external_id="b", language="en", cipher=CIPHER
        )
        again, other, elsewhere = [
            await processed.stored_replies(
                conn, platform=platform, identity_id=who, message_key="k", cipher=CIPHER
            )
            for platform, who in (
                ("web", locked.identity_id),
                ("web", other_user.identity_id),
                ("telegram", locked.identity_id),
            )
        ]
    assert again == Stored([{"text": "hello"}])
    # The key is the consumer's: another consumer's same key is a new message.
    assert other is None and elsewhere is None


async def test_a_duplicate_key_cannot_be_recorded_twice(database: Database) -> None:
    async with database.engine.begin() as conn:
        locked = await _lock(conn, "a")
        await processed.record_message(
            conn,
            platform="web",
            message_key="k",
            identity_id=locked.identity_id,
            replies=[],
            now=NOW,
            cipher=CIPHER,
        )
    with pytest.raises(IntegrityError):
        async with database.engine.begin() as conn:
            await processed.record_message(
                conn,
                platform="web",
                message_key="k",
                identity_id=locked.identity_id,
                replies=[],
                now=NOW,
                cipher=CIPHER,
            )


async def test_save_writes_state_and_touches_the_identity_sparingly(database: Database) -> None:
    async with database.engine.begin() as conn:
        locked = await _lock(conn, "a")
        conv = DialogConversation(
            state="menu", answers={"x": 1}, language="zh-CN", language_chosen=True
        )
        await conversations.save(conn, locked, conv, NOW, cipher=CIPHER)
    async with database.engine.begin() as conn:
        locked = await _lock(conn, "a")
        await conversations.save(
            conn, locked, locked.dialog(), NOW + timedelta(seconds=5), cipher=CIPHER
        )
    async with database.sessions() as session:
        identity = (await session.scalars(select(Identity))).one()
        row = (await session.scalars(select(Conversation))).one()
    assert (row.state, CIPHER.unseal(row.answers), row.version) == ("menu", {"x": 1}, 2)
    assert (identity.language, identity.language_chosen) == ("zh-CN", True)
    # Within a minute the inbound time is not rewritten: one write saved per message.
    assert identity.last_inbound_at == NOW


async def test_identity_is_created_once_under_concurrency(database: Database) -> None:
    async def get() -> int:
        async with database.engine.begin() as conn:
            locked = await conversations.lock(
                conn, platform="telegram", external_id="42", language="en", cipher=CIPHER
            )
            return locked.identity_id

    ids = await asyncio.gather(*(get() for _ in range(5)))
    assert len(set(ids)) == 1


async def test_the_lock_makes_a_second_writer_wait(database: Database) -> None:
    order: list[str] = []

    async def writer(name: str, hold: float) -> None:
        async with database.engine.begin() as conn:
            locked = await _lock(conn, "w")
            order.append(f"{name}:{locked.version}")
            await asyncio.sleep(hold)
            await conversations.save(conn, locked, locked.dialog(), NOW, cipher=CIPHER)

    async with database.engine.begin() as conn:
        await _lock(conn, "w")
    await asyncio.gather(writer("a", 0.2), writer("b", 0))
    # Whoever came second saw the first one's write.
    assert sorted(v.split(":")[1] for v in order) == ["0", "1"]
