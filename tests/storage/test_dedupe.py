"""The dedupe table and the conversation lock, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from storage import conversations
from storage.db import Database


async def test_a_key_is_claimed_once_and_replays_its_replies(database: Database) -> None:
    async with database.transaction() as session:
        first = await conversations.claim_message(session=session, platform="web", message_key="k1")
        identity = await conversations.get_identity(
            session=session, platform="web", external_id="alice", language="en"
        )
        await conversations.store_replies(
            session=session,
            platform="web",
            message_key="k1",
            identity_id=identity.id,
            replies=[{"text": "hello"}],
        )
    assert first is None
    async with database.transaction() as session:
        again = await conversations.claim_message(session=session, platform="web", message_key="k1")
    assert again == [{"text": "hello"}]


async def test_same_key_on_two_platforms_is_two_messages(database: Database) -> None:
    async with database.transaction() as session:
        assert (
            await conversations.claim_message(session=session, platform="web", message_key="k")
            is None
        )
        assert (
            await conversations.claim_message(session=session, platform="telegram", message_key="k")
            is None
        )


async def test_concurrent_claims_of_one_key_apply_once(database: Database) -> None:
    outcomes: list[object] = []

    async def claim() -> None:
        async with database.transaction() as session:
            outcome = await conversations.claim_message(
                session=session, platform="wechat", message_key="dup"
            )
            await asyncio.sleep(0.05)  # hold the claim while the other copy arrives
            outcomes.append(outcome)

    await asyncio.gather(claim(), claim(), claim())
    assert sorted(map(repr, outcomes)) == ["None", "[]", "[]"]


async def test_identity_is_created_once_under_concurrency(database: Database) -> None:
    async def get() -> int:
        async with database.transaction() as session:
            identity = await conversations.get_identity(
                session=session, platform="telegram", external_id="42", language="en"
            )
            row = await conversations.lock_conversation(session=session, identity_id=identity.id)
            return row.identity_id

    ids = await asyncio.gather(*(get() for _ in range(5)))
    assert len(set(ids)) == 1
