"""Consumers and notices for the worker tests, made through the real engine and outbox."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import select

from bots.services import Services
from dialogs.events import TextMessage
from dialogs.replies import Reply
from dialogs.vocabulary import Platform
from storage import outbox
from storage.models import Identity, OutboxNotice

_n = itertools.count()


async def consumer(services: Services, user: str, platform: Platform = Platform.WECHAT) -> Identity:
    """A consumer who has written to the bot once."""
    await services.engine.handle(
        TextMessage(
            platform=platform,
            user_id=user,
            message_id=f"m{next(_n)}",
            received_at=datetime.now(UTC),
            text="hi",
        )
    )
    async with services.database.sessions() as session:
        identity = await session.scalar(
            select(Identity).where(Identity.platform == platform, Identity.external_id == user)
        )
    assert identity is not None
    return identity


async def notify(services: Services, identity: Identity, text: str) -> int:
    """Queue a notice the way staff actions do; returns its id."""
    async with services.database.transaction() as session:
        notice = await outbox.enqueue(
            session=session, identity=identity, replies=[Reply(text)], now=services.now()
        )
    return notice.id


async def notices(services: Services) -> list[OutboxNotice]:
    """Every outbox row, oldest first."""
    async with services.database.sessions() as session:
        return list(await session.scalars(select(OutboxNotice).order_by(OutboxNotice.id)))


async def statuses(services: Services) -> list[tuple[str, str | None]]:
    """(status, last_error) of every outbox row, oldest first."""
    return [(n.status, n.last_error) for n in await notices(services)]


async def identity(services: Services, identity_id: int) -> Identity:
    """The identity row as stored now."""
    async with services.database.sessions() as session:
        return await session.get_one(Identity, identity_id)
