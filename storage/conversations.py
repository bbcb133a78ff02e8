"""Looking consumers up and forgetting old dedupe keys, outside the message path.

A message's own reads and writes of identity, conversation and dedupe row go through a
conversation lock (:mod:`storage.turns`); these helpers serve the routes and the
background loops.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, ProcessedMessage


async def prune_processed(*, session: AsyncSession, older_than: datetime) -> int:
    """Forget dedupe keys older than any platform retries (days, not seconds)."""
    result = await session.execute(
        delete(ProcessedMessage).where(ProcessedMessage.created_at < older_than)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def find_identity(
    *, session: AsyncSession, platform: str, external_id: str
) -> Identity | None:
    """The identity for a platform user, if they ever wrote."""
    return await session.scalar(
        select(Identity).where(Identity.platform == platform, Identity.external_id == external_id)
    )
