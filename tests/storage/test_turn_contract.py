"""The conversation-lock contract: what every implementation does, for both ways a
conversation moves.

One fixture is parametrised over the implementations — SQLite and PostgreSQL (the
``database`` fixture) × a consumer message (:func:`storage.turns.open_turn`) and a staff
move (:func:`storage.turns.join_turn` inside a staff transaction) — and one class holds
the behaviours each must show: lock, apply, save, the version bump, rollback, writers
serialised, and the dedupe of a repeated message key with its stored replies. The few
behaviours only a message has (first contact, its key, its claim) take the message
alone. A new implementation passes this class before anything uses it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import asyncpg
import pytest
from sqlalchemy import func, select, text, update

from dialogs.conversation import Conversation
from storage.conversation_lock import ConversationLock, Locked
from storage.conversations import find_identity
from storage.crypto import FieldCipher
from storage.db import Database
from storage.models import ConversationRow, Identity, OutboxNotice, ProcessedMessage
from storage.processed import PENDING, Receipt, Stored
from storage.turns import join_turn, open_turn

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CIPHER = FieldCipher("test-secret-key-test-secret-key")
NAME = "张三丰"


@dataclass
class Held:
    """An open lock in a test: what it read, and how to write the move back."""

    lock: ConversationLock
    locked: Locked
    stored: Stored | None
    write: Callable[[Conversation, datetime], Awaitable[None]]


class Moves(Protocol):
    """One way a conversation moves, as the contract drives it."""

    kind: str
    database: Database

    def hold(
        self, key: str = "k", *, user: str = "u", platform: str = "web"
    ) -> AbstractAsyncContextManager[Held]: ...


class MessageMoves:
    """A consumer message: its own transaction, found by platform user, recorded."""

    kind = "message"

    def __init__(self, database: Database) -> None:
        self.database = database

    @asynccontextmanager
    async def hold(
        self, key: str = "k", *, user: str = "u", platform: str = "web"
    ) -> AsyncIterator[Held]:
        async with open_turn(self.database, CIPHER) as lock:
            locked, stored = await lock.lock(
                platform=platform, external_id=user, language="en", message_key=key
            )

            async def write(conv: Conversation, now: datetime) -> None:
                await lock.finish(
                    locked, conv, now, platform=platform, message_key=key,
                    replies=[{"text": f"reply to {key} from {user}"}], resubscribe=True,
                )  # fmt: skip

            yield Held(lock, locked, stored, write)


class StaffMoves:
    """A staff move: inside a staff transaction, by identity id, nothing recorded."""

    kind = "staff move"

    def __init__(self, database: Database) -> None:
        self.database = database

    async def _identity_id(self, user: str, platform: str) -> int:
        # Made elsewhere, without a conversation: the lock creates that.
        async with self.database.transaction() as session:
            found = await find_identity(session=session, platform=platform, external_id=user)
            if found is None:
                found = Identity(platform=platform, external_id=user, language="en")
                session.add(found)
                await session.flush()
            return found.id

    @asynccontextmanager
    async def hold(
        self, key: str = "k", *, user: str = "u", platform: str = "web"
    ) -> AsyncIterator[Held]:
        identity_id = await self._identity_id(user, platform)
        async with self.database.transaction() as session:
            lock = await join_turn(session, CIPHER)
            locked = await lock.lock_identity(identity_id=identity_id, platform=platform)

            async def write(conv: Conversation, now: datetime) -> None:
                await lock.save(locked, conv, now)

            yield Held(lock, locked, None, write)


@pytest.fixture(params=["message", "staff move"])
def turns(request: pytest.FixtureRequest, database: Database) -> Moves:
    """Each implementation, moved by a consumer message and by a staff move."""
    if request.param == "message":
        return MessageMoves(database)
    return StaffMoves(database)


MESSAGE_ONLY = pytest.mark.parametrize("turns", ["message"], indirect=True)


def moved(locked: Locked, state: str, **changes: Any) -> Conversation:
    dialog = locked.dialog()
    return Conversation(
        state=state,
        answers=changes.get("answers", dialog.answers),
        language=changes.get("language", dialog.language),
        language_chosen=changes.get("language_chosen", dialog.language_chosen),
        updated_at=NOW,
    )


async def step(turns: Moves, key: str, state: str, at: datetime = NOW, **hold: Any) -> int:
    """Lock, move to ``state``, save; the version the lock read."""
    async with turns.hold(key, **hold) as held:
        await held.write(moved(held.locked, state), at)
        return held.locked.version


async def rows(database: Database) -> tuple[ConversationRow, Identity, set[str]]:
    async with database.sessions() as session:
        conversation = (await session.scalars(select(ConversationRow))).one()
        identity = (await session.scalars(select(Identity))).one()
        keys = set((await session.scalars(select(ProcessedMessage.message_key))).all())
    return conversation, identity, keys


async def notice(database: Database, identity_id: int, status: str, body: str = "n") -> None:
    async with database.transaction() as session:
        session.add(OutboxNotice(
            identity_id=identity_id, platform="web", payload={"text": body},
            status=status, created_at=NOW, next_attempt_at=NOW,
        ))  # fmt: skip


class TestConversationLock:
    async def test_the_first_lock_reads_a_fresh_conversation(self, turns: Moves) -> None:
        async with turns.hold() as held:
            locked = held.locked
            assert held.stored is None
        assert (locked.state, locked.version, locked.answers) == ("start", 0, {})
        assert (locked.language, locked.language_chosen) == ("en", False)
        assert not (locked.unsubscribed or locked.blocked or locked.notices_waiting)
        assert locked.dialog().updated_at is None

    async def test_a_saved_move_is_what_the_next_lock_and_the_orm_read(
        self, turns: Moves
    ) -> None:
        async with turns.hold("m1") as held:
            new = moved(
                held.locked, "menu", answers={"x": 1, "name": NAME},
                language="zh-CN", language_chosen=True,
            )  # fmt: skip
            await held.write(new, NOW)
        async with turns.hold("m2") as held:
            again = held.locked
        assert (again.state, again.answers, again.version) == ("menu", {"x": 1, "name": NAME}, 1)
        assert (again.language, again.language_chosen) == ("zh-CN", True)
        assert again.dialog().updated_at == NOW
        conversation, identity, _ = await rows(turns.database)
        # Written outside the ORM, read back by it in the same form; the draft sealed.
        assert (conversation.state, conversation.version) == ("menu", 1)
        assert CIPHER.unseal(conversation.answers) == {"x": 1, "name": NAME}
        assert NAME not in json.dumps(conversation.answers, ensure_ascii=False)
        assert conversation.updated_at == NOW
        assert (identity.language, identity.language_chosen) == ("zh-CN", True)

    async def test_each_save_bumps_the_version_by_one(self, turns: Moves) -> None:
        seen = [await step(turns, f"m{n}", f"s{n}") for n in range(3)]
        assert seen == [0, 1, 2]
        conversation, _, _ = await rows(turns.database)
        assert (conversation.state, conversation.version) == ("s2", 3)

    async def test_concurrent_writers_are_serialised(self, turns: Moves) -> None:
        await step(turns, "m0", "menu")
        first_holds = asyncio.Event()
        seen: dict[str, int] = {}

        async def first() -> None:
            async with turns.hold("a") as held:
                seen["first"] = held.locked.version
                first_holds.set()
                await asyncio.sleep(0.3)  # the second writer arrives and waits meanwhile
                await held.write(moved(held.locked, "first"), NOW)

        async def second() -> None:
            await first_holds.wait()
            async with turns.hold("b") as held:
                seen["second"] = held.locked.version
                seen_state = held.locked.state
                await held.write(moved(held.locked, "second"), NOW)
            assert seen_state == "first"

        await asyncio.gather(first(), second())
        # The second read the conversation as the first left it, not as both found it.
        assert seen == {"first": 1, "second": 2}
        conversation, _, _ = await rows(turns.database)
        assert (conversation.state, conversation.version) == ("second", 3)

    async def test_session_work_commits_with_the_move(self, turns: Moves) -> None:
        await step(turns, "m0", "menu")
        async with turns.hold("m1") as held:
            session = await held.lock.session()
            session.add(OutboxNotice(
                identity_id=held.locked.identity_id, platform="web", payload={"text": "m1"},
                status="sent", created_at=NOW, next_attempt_at=NOW,
            ))  # fmt: skip
            await held.write(moved(held.locked, "after"), NOW)
        async with turns.database.sessions() as session:
            notices = (await session.scalars(select(OutboxNotice.payload))).all()
        assert notices == [{"text": "m1"}]
        conversation, _, _ = await rows(turns.database)
        assert (conversation.state, conversation.version) == ("after", 2)

    async def test_a_rollback_leaves_nothing(self, turns: Moves) -> None:
        await step(turns, "m0", "menu")
        with pytest.raises(RuntimeError):
            async with turns.hold("m1") as held:
                session = await held.lock.session()
                session.add(OutboxNotice(
                    identity_id=held.locked.identity_id, platform="web",
                    payload={"text": "m1"}, status="sent", created_at=NOW, next_attempt_at=NOW,
                ))  # fmt: skip
                await held.write(moved(held.locked, "lost", language="zh-CN"), NOW)
                raise RuntimeError("a command failed after the write")
        conversation, identity, keys = await rows(turns.database)
        assert (conversation.state, conversation.version, identity.language) == ("menu", 1, "en")
        assert keys == ({"m0"} if turns.kind == "message" else set())
        async with turns.database.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(OutboxNotice)) == 0
        # The connection went back to the pool in a usable state.
        assert await step(turns, "m2", "next") == 1

    async def test_a_repeated_message_key_gets_its_stored_replies_and_changes_nothing(
        self, turns: Moves
    ) -> None:
        messages = MessageMoves(turns.database)
        await step(messages, "m1", "menu")
        await step(turns, "m2", "moved")  # a second message, or a staff move
        async with messages.hold("m1") as repeat:
            stored, version = repeat.stored, repeat.locked.version
        assert stored == Stored([{"text": "reply to m1 from u"}])
        # The repeat reads the conversation as the move left it and writes nothing.
        assert version == 2
        conversation, _, keys = await rows(turns.database)
        assert (conversation.state, conversation.version) == ("moved", 2)
        assert keys == ({"m1", "m2"} if turns.kind == "message" else {"m1"})

    @pytest.mark.parametrize(
        ("platform", "status", "waiting"),
        [
            ("web", "pending", True),
            # A push channel's pending notice goes out by itself: it does not wait for a
            # reply (a staff move once read every platform as a pull channel).
            ("telegram", "pending", False),
            ("telegram", "held", True),
            ("web", "sent", False),
        ],
    )
    async def test_notices_wait_for_a_reply_by_the_channel_kind(
        self, turns: Moves, platform: str, status: str, waiting: bool
    ) -> None:
        async with turns.hold("m0", platform=platform) as held:
            identity_id = held.locked.identity_id
        await notice(turns.database, identity_id, status)
        async with turns.hold("m1", platform=platform) as held:
            assert held.locked.notices_waiting is waiting

    async def test_only_a_message_reopens_the_consumers_window(self, turns: Moves) -> None:
        await step(turns, "m0", "menu")
        async with turns.database.transaction() as session:
            await session.execute(
                update(Identity).values(pushes_since_inbound=3, unsubscribed_at=NOW, blocked=True)
            )
        later = NOW + timedelta(minutes=5)
        await step(turns, "m1", "next", at=later)
        _, identity, _ = await rows(turns.database)
        window = (
            identity.last_inbound_at, identity.pushes_since_inbound,
            identity.unsubscribed_at, identity.blocked,
        )  # fmt: skip
        if turns.kind == "message":
            # Writing again resets the push count and undoes an unfollow and a block.
            assert window == (later, 0, None, False)
        else:
            assert window == (None, 3, NOW, True)

    # ------------------------------------------------------------ a message's own

    @MESSAGE_ONLY
    async def test_first_contact_creates_the_consumer_once_under_concurrency(
        self, turns: Moves
    ) -> None:
        async def contact(n: int) -> int:
            async with turns.hold(f"m{n}", user="42", platform="telegram") as held:
                return held.locked.identity_id

        ids = await asyncio.gather(*(contact(n) for n in range(5)))
        assert len(set(ids)) == 1

    @MESSAGE_ONLY
    async def test_a_copy_committed_while_waiting_for_the_lock_is_not_applied_again(
        self, turns: Moves
    ) -> None:
        await step(turns, "m0", "menu")
        first_holds = asyncio.Event()
        copy: dict[str, Any] = {}

        async def first() -> None:
            async with turns.hold("m1") as held:
                first_holds.set()
                await asyncio.sleep(0.3)  # the copy arrives and waits meanwhile
                await held.write(moved(held.locked, "first"), NOW)

        async def second() -> None:
            await first_holds.wait()
            async with turns.hold("m1") as held:
                copy.update(stored=held.stored, version=held.locked.version)

        await asyncio.gather(first(), second())
        # The copy saw the first one's dedupe row and the conversation as it left it.
        assert copy == {"stored": Stored([{"text": "reply to m1 from u"}]), "version": 2}
        _, _, keys = await rows(turns.database)
        assert keys == {"m0", "m1"}

    @MESSAGE_ONLY
    async def test_one_consumers_message_key_is_not_another_consumers(
        self, turns: Moves
    ) -> None:
        await step(turns, "same", "menu", user="a")
        # Another consumer, the same key: a new message, applied, with its own replies.
        assert await step(turns, "same", "menu", user="b") == 0
        for user in ("a", "b"):
            async with turns.hold("same", user=user) as held:
                assert held.stored == Stored([{"text": f"reply to same from {user}"}])
        async with turns.database.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(ProcessedMessage)) == 2

    @MESSAGE_ONLY
    async def test_a_key_cannot_be_recorded_twice(self, turns: Moves) -> None:
        await step(turns, "m1", "menu")
        with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
            async with turns.hold("m1") as held:
                assert held.stored is not None
                await held.write(moved(held.locked, "twice"), NOW)
        conversation, _, _ = await rows(turns.database)
        assert (conversation.state, conversation.version) == ("menu", 1)

    @MESSAGE_ONLY
    async def test_the_inbound_time_is_rewritten_at_most_once_a_minute(
        self, turns: Moves
    ) -> None:
        await step(turns, "m1", "menu")
        await step(turns, "m2", "menu", at=NOW + timedelta(seconds=5))
        _, identity, _ = await rows(turns.database)
        assert identity.last_inbound_at == NOW
        await step(turns, "m3", "menu", at=NOW + timedelta(minutes=2))
        _, identity, _ = await rows(turns.database)
        assert identity.last_inbound_at == NOW + timedelta(minutes=2)

    @MESSAGE_ONLY
    async def test_a_claim_holds_pushed_replies_until_it_lapses(self, turns: Moves) -> None:
        async with open_turn(turns.database, CIPHER) as lock:
            locked, _ = await lock.lock(
                platform="telegram", external_id="u", language="en", message_key="m1"
            )
            await lock.finish(
                locked, locked.dialog(), NOW, platform="telegram", message_key="m1",
                replies=[{"text": "hi"}], resubscribe=True,
                delivery=PENDING, claimed_until=NOW + timedelta(seconds=60),
            )  # fmt: skip
        async with turns.hold("m1", platform="telegram") as held:
            stored = held.stored
            assert stored is not None
            assert (stored.delivery, stored.claimed_until) == (PENDING, NOW + timedelta(seconds=60))
            assert not stored.claimable(NOW)
            assert stored.claimable(NOW + timedelta(seconds=61))
            receipt = Receipt("telegram", held.locked.identity_id, "m1")
            await held.lock.claim(receipt, until=NOW + timedelta(minutes=5))
        async with turns.hold("m1", platform="telegram") as held:
            assert held.stored is not None
            assert held.stored.claimed_until == NOW + timedelta(minutes=5)


async def test_stored_replies_are_sealed_at_rest(database: Database) -> None:
    messages = MessageMoves(database)
    async with messages.hold("m1") as held:
        await held.lock.finish(
            held.locked, held.locked.dialog(), NOW, platform="web", message_key="m1",
            replies=[{"text": f"name: {NAME}"}], resubscribe=True,
        )  # fmt: skip
    async with database.sessions() as session:
        raw = (await session.execute(text("SELECT replies FROM processed_messages"))).scalar()
    assert NAME not in str(raw)
    async with messages.hold("m1") as held:
        assert held.stored == Stored([{"text": f"name: {NAME}"}])
