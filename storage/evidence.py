"""Evidence records: recorded when the consumer sends a file, fetched later if need be."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.events import MediaMessage
from dialogs.vocabulary import FetchStatus
from storage.models import Evidence, Identity


class EvidenceRefused(Exception):
    """The file cannot be taken; ``reason`` is ``too_large`` or ``evidence_limit``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def count_for(*, session: AsyncSession, identity: Identity, complaint_id: int | None) -> int:
    """Files recorded for a complaint, or for the identity's draft when ``complaint_id`` is None."""
    query = select(func.count()).select_from(Evidence)
    if complaint_id is None:
        query = query.where(Evidence.identity_id == identity.id, Evidence.complaint_id.is_(None))
    else:
        # Every file of the complaint counts, whichever linked channel sent it.
        query = query.where(Evidence.complaint_id == complaint_id)
    return int(await session.scalar(query) or 0)


async def record(
    *,
    session: AsyncSession,
    identity: Identity,
    media: MediaMessage,
    complaint_id: int | None,
    max_files: int,
    max_bytes: int,
    now: datetime,
) -> int:
    """Record a media message as evidence and return how many files there are now.

    Files the adapter already stored (web upload) are ``stored``; platform files are
    ``pending`` until the worker downloads them — the webhook must answer within
    WeChat's 5 s, so no download happens here.

    Raises:
        EvidenceRefused: over the file count or the size limit.
    """
    count = await count_for(session=session, identity=identity, complaint_id=complaint_id)
    if count >= max_files:
        raise EvidenceRefused("evidence_limit")
    if media.size is not None and media.size > max_bytes:
        raise EvidenceRefused("too_large")
    stored = media.blob_key is not None
    session.add(
        Evidence(
            complaint_id=complaint_id,
            identity_id=identity.id,
            platform=media.platform,
            source_key=media.message_id,
            kind=str(media.kind),
            platform_ref=media.platform_ref,
            file_name=media.file_name,
            mime=media.mime,
            size=media.size,
            sha256=media.sha256,
            blob_key=media.blob_key,
            caption=media.caption or media.recognised_text,
            fetch_status=FetchStatus.STORED if stored else FetchStatus.PENDING,
            next_attempt_at=None if stored else now,
            received_at=now,
        )
    )
    await session.flush()
    return count + 1


async def discard_draft(*, session: AsyncSession, identity: Identity) -> None:
    """Forget evidence of a draft the consumer cancelled (the blobs stay: shared by hash)."""
    await session.execute(
        delete(Evidence).where(Evidence.identity_id == identity.id, Evidence.complaint_id.is_(None))
    )



async def recorded_from(
    *, session: AsyncSession, platform: str, external_id: str, source_key: str
) -> bool:
    """Whether a message of this platform user (its delivery key) was recorded as evidence."""
    found = await session.scalar(
        select(Evidence.id)
        .join(Identity, Identity.id == Evidence.identity_id)
        .where(
            Identity.platform == platform,
            Identity.external_id == external_id,
            Evidence.source_key == source_key,
        )
        .limit(1)
    )
    return found is not None
