"""Turns (storage/turns.py, storage/pg_turn.py): one message's transaction, both databases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from dialogs.events import Conversation as DialogConversation
from storage.crypto import FieldCipher
from storage.db import Database
from storage.models import Conversation, Identity, OutboxNotice, ProcessedMessage
from storage.processed import Stored
from storage.turns import CoreTurn, Turn
from storage.turns import open_turn as open_fast_turn

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CIPHER = FieldCipher("test-secret-key-test-secret-key")


@asynccontextmanager
async def open_core_turn(database: Database) -> AsyncIterator[Turn]:
    async with database.begin() as conn:
        yield CoreTurn(conn, CIPHER)


@asynccontextmanager
async def open_turn(database: Database) -> AsyncIterator[Turn]:
    async with open_fast_turn(database, CIPHER) as turn:
        yield turn


async def _apply(
    turn: Turn, key: str, *, user: str = "u", state: str = "menu", **conv: Any
) -> tuple[int, Stored | None]:
    locked, stored = await turn.lock(
        platform="web", external_id=user, language="en", message_key=key
    )
    if stored is None:
        dialog = locked.dialog()
        answers = {**dialog.answers, key: True}
        new = DialogConversation(
            state=state,
            answers=answers,
            language=conv.get("language", dialog.language),
            language_chosen=conv.get("language_chosen", dialog.language_chosen),
            updated_at=NOW,
        )
        await turn.finish(
            locked, new, NOW, platform="web", message_key=key,
            replies=[{"text": f"reply to {key} from {user}"}],
            resubscribe=conv.get("resubscribe", True),
        )
    return locked.version, stored


async def _conversation(database: Database) -> Conversation:
    async with database.sessions() as session:
        return (await session.scalars(select(Conversation))).one()


async def test_first_contact_then_a_repeat_replays_the_stored_replies(database: Database) -> None:
    async with open_turn(database) as turn:
        assert await _apply(turn, "m1") == (0, None)
    async with open_turn(database) as turn:
        assert await _apply(turn, "m1") == (1, Stored([{"text": "reply to m1 from u"}]))
    row = await _conversation(database)
    assert (row.state, CIPHER.unseal(row.answers), row.version) == ("menu", {"m1": True}, 1)
    # Written outside the ORM, read back by it in the same form.
    assert row.updated_at == NOW
    async with database.sessions() as session:
        record = (await session.scalars(select(ProcessedMessage))).one()
    assert CIPHER.unseal(record.replies) == [{"text": "reply to m1 from u"}]
    assert record.created_at == NOW


async def test_a_copy_committed_while_waiting_for_the_lock_is_not_applied_again(
    database: Database,
) -> None:
    async with open_turn(database) as turn:
        await _apply(turn, "m0")
    first_locked = asyncio.Event()
    results: dict[str, Any] = {}

    async def first() -> None:
        async with open_turn(database) as turn:
            locked, _ = await turn.lock(
                platform="web", external_id="u", language="en", message_key="m1"
            )
            first_locked.set()
            await asyncio.sleep(0.3)  # the copy arrives and waits meanwhile
            await turn.finish(
                locked, locked.dialog(), NOW, platform="web", message_key="m1",
                replies=[{"text": "first"}], resubscribe=True,
            )

    async def copy() -> None:
        await first_locked.wait()
        async with open_turn(database) as turn:
            results["copy"] = await _apply(turn, "m1")

    await asyncio.gather(first(), copy())
    # The copy saw the first one's dedupe row and the conversation as it left it.
    assert results["copy"] == (2, Stored([{"text": "first"}]))
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedMessage)) == 2
    assert (await _conversation(database)).version == 2


async def test_identity_columns_change_only_when_the_message_changes_them(
    database: Database,
) -> None:
    async with open_turn(database) as turn:
        await _apply(turn, "m1", language="zh-CN", language_chosen=True)
    async with database.transaction() as session:
        await session.execute(
            update(Identity).values(pushes_since_inbound=3, unsubscribed_at=NOW)
        )
    async with open_turn(database) as turn:
        await _apply(turn, "m2")
    async with database.sessions() as session:
        identity = (await session.scalars(select(Identity))).one()
    assert (identity.language, identity.language_chosen) == ("zh-CN", True)
    assert identity.last_inbound_at == NOW
    # Writing again resets the push count and undoes an unfollow.
    assert (identity.pushes_since_inbound, identity.unsubscribed_at) == (0, None)


async def test_session_work_commits_with_the_turn_and_rolls_back_with_it(
    database: Database,
) -> None:
    async with open_turn(database) as turn:
        await _apply(turn, "m1")
    identity_id = (await _conversation(database)).identity_id

    async def with_notice(key: str, fail: bool) -> None:
        async with open_turn(database) as turn:
            locked, _ = await turn.lock(
                platform="web", external_id="u", language="en", message_key=key
            )
            session = await turn.session()
            session.add(OutboxNotice(
                identity_id=identity_id, platform="web", payload={"text": key},
                status="sent", created_at=NOW, next_attempt_at=NOW,
            ))
            await session.flush()
            if fail:
                raise RuntimeError("a command failed")
            await turn.finish(
                locked, locked.dialog(), NOW + timedelta(minutes=1), platform="web",
                message_key=key, replies=[], resubscribe=True,
            )

    await with_notice("m2", fail=False)
    with pytest.raises(RuntimeError):
        await with_notice("m3", fail=True)
    async with database.sessions() as session:
        notices = (await session.scalars(select(OutboxNotice.payload))).all()
        keys = set((await session.scalars(select(ProcessedMessage.message_key))).all())
    assert notices == [{"text": "m2"}]
    assert keys == {"m1", "m2"}
    assert (await _conversation(database)).version == 2
    # The connection went back to the pool in a usable state.
    async with open_turn(database) as turn:
        assert await _apply(turn, "m4") == (2, None)


async def test_waiting_notices_are_flagged_for_pull_channels(database: Database) -> None:
    async with open_turn(database) as turn:
        await _apply(turn, "m1")
    identity_id = (await _conversation(database)).identity_id
    async with database.transaction() as session:
        session.add(OutboxNotice(
            identity_id=identity_id, platform="web", payload={"text": "n"},
            status="pending", created_at=NOW, next_attempt_at=NOW,
        ))
    async with open_turn(database) as turn:
        locked, _ = await turn.lock(
            platform="web", external_id="u", language="en", message_key="m2"
        )
    assert locked.notices_waiting


OPENERS: list[Callable[[Database], AbstractAsyncContextManager[Turn]]] = [
    open_turn, open_core_turn
]


@pytest.mark.parametrize("opener", OPENERS, ids=["fast", "core"])
async def test_one_consumers_message_key_is_not_another_consumers(
    database: Database, opener: Callable[[Database], AbstractAsyncContextManager[Turn]]
) -> None:
    async with opener(database) as turn:
        assert await _apply(turn, "same", user="a") == (0, None)
    async with opener(database) as turn:
        # Another consumer, the same key: a new message, applied, with its own replies.
        assert await _apply(turn, "same", user="b") == (0, None)
    async with opener(database) as turn:
        assert await _apply(turn, "same", user="b") == (
            1, Stored([{"text": "reply to same from b"}])
        )
    async with opener(database) as turn:
        assert await _apply(turn, "same", user="a") == (
            1, Stored([{"text": "reply to same from a"}])
        )
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedMessage)) == 2
