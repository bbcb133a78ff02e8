"""Dedupe rows belong to one consumer, and what a turn stores is sealed at rest."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text

from bots.services import Services
from dialogs.events import TextMessage
from dialogs.vocabulary import Platform
from storage.models import ConversationRow, Identity
from tests.support.driver import COMPLAINT, as_dicts, question, walk

_ids = itertools.count(1)
PHONE = "13812345678"
NAME = str(COMPLAINT["contact_name"])


def message(user: str, body: str, message_id: str) -> TextMessage:
    return TextMessage(
        platform=Platform.WEB,
        user_id=user,
        message_id=message_id,
        received_at=datetime.now(UTC),
        language_hint="en",
        text=body,
    )


async def to_summary(services: Services, user: str) -> tuple[str, list[dict[str, Any]]]:
    """Walk ``user`` to the confirmation summary; returns the id of that last message."""
    used: list[str] = []

    async def send(body: str) -> list[dict[str, Any]]:
        used.append(f"{user}-{next(_ids)}")
        return as_dicts(await services.engine.handle(message(user, body, used[-1])))

    def at_summary(replies: list[dict[str, Any]]) -> bool:
        asked = question(replies)
        return asked is not None and asked["step"] == "confirm"

    replies = await walk(send, COMPLAINT, until=at_summary)
    return used[-1], replies


def in_clear(raw: str) -> bool:
    # JSON may escape non-ASCII: look for the name in both spellings.
    escaped = json.dumps(NAME)[1:-1]
    return PHONE in raw or NAME in raw or escaped in raw


async def test_another_consumers_message_id_gets_its_own_replies(services: Services) -> None:
    key, summary = await to_summary(services, "alice")
    assert in_clear(json.dumps(summary, ensure_ascii=False)), summary  # it shows them
    # Bob's client sends Alice's message id (web clients choose their ids).
    bob = as_dicts(await services.engine.handle(message("bob", "hi", key)))
    fresh = as_dicts(await services.engine.handle(message("carol", "hi", "carol-1")))
    assert bob == fresh
    assert not in_clear(json.dumps(bob, ensure_ascii=False))
    # Bob's message was applied, not dropped as a repeat; Alice's repeat is still hers.
    async with services.database.sessions() as session:
        bob_id = await session.scalar(select(Identity.id).where(Identity.external_id == "bob"))
        version = await session.scalar(
            select(ConversationRow.version).where(ConversationRow.identity_id == bob_id)
        )
    assert version == 1
    again = as_dicts(await services.engine.handle(message("alice", "yes", key)))
    assert again == summary


async def test_drafts_and_stored_replies_hold_no_contact_details_in_clear(
    services: Services,
) -> None:
    key, summary = await to_summary(services, "alice")
    async with services.database.engine.connect() as conn:
        answers = (await conn.execute(text("SELECT answers FROM conversations"))).scalars()
        replies = (await conn.execute(text("SELECT replies FROM processed_messages"))).scalars()
        raw = [str(v) for v in [*answers, *replies]]
    assert raw and not any(in_clear(value) for value in raw)
    # Still the same to the engine: the draft resumes and a repeat replays the summary.
    assert as_dicts(await services.engine.handle(message("alice", "x", key))) == summary


async def test_rows_written_before_encryption_still_load(services: Services) -> None:
    await services.engine.handle(message("dora", "hi", "d-1"))
    draft = {"draft": {"contact_name": "Li Lei"}, "step": "contact_phone"}
    plain = [{"text": "plain reply"}]
    async with services.database.engine.begin() as conn:
        await conn.execute(
            text("UPDATE conversations SET answers = :a"), {"a": json.dumps(draft)}
        )
        await conn.execute(
            text("UPDATE processed_messages SET replies = :r"), {"r": json.dumps(plain)}
        )
    again = await services.engine.handle(message("dora", "hi", "d-1"))
    assert [r.text for r in again] == ["plain reply"]
    await services.engine.handle(message("dora", "help", "d-2"))
    async with services.database.sessions() as session:
        stored = await session.scalar(select(ConversationRow.answers))
    # Read as plain, written back sealed.
    assert isinstance(stored, str)
    assert services.cipher.unseal(stored)["draft"] == {"contact_name": "Li Lei"}
