"""Evidence records: recorded when the consumer sends a file, fetched later if need be."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.events import MediaMessage
from storage.blobs import StoredBlob
from storage.models import Evidence, Identity


class EvidenceRefused(Exception):
    """The file cannot be taken; ``reason`` is ``too_large`` or ``evidence_limit``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def count_for(*, session: AsyncSession, identity: Identity, complaint_id: int | None) -> int:
    """Files recorded for a complaint, or for the identity's draft when ``complaint_id`` is None."""
    query = select(func.count()).select_from(Evidence).where(Evidence.identity_id == identity.id)
    if complaint_id is None:
        query = query.where(Evidence.complaint_id.is_(None))
    else:
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
            platform=str(media.platform),
            source_key=media.message_id,
            kind=str(media.kind),
            platform_ref=media.platform_ref,
            file_name=media.file_name,
            mime=media.mime,
            size=media.size,
            sha256=media.sha256,
            blob_key=media.blob_key,
            caption=media.caption or media.recognised_text,
            fetch_status="stored" if stored else "pending",
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


# --------------------------------------------------------------------------- downloads

# WeChat keeps temporary media for 3 days; past that a download can only fail.
PLATFORM_KEEPS_MEDIA = timedelta(days=3)


@dataclass(frozen=True)
class Download:
    """A pending evidence file claimed for download."""

    id: int
    identity_id: int
    platform: str
    platform_ref: str
    kind: str
    attempts: int
    received_at: datetime


async def claim_downloads(
    *, session: AsyncSession, now: datetime, lease: timedelta, limit: int = 10
) -> list[Download]:
    """Claim pending files whose turn has come; the lease is the next attempt time."""
    rows = await session.scalars(
        select(Evidence)
        .where(
            Evidence.fetch_status == "pending",
            Evidence.next_attempt_at <= now,
            Evidence.platform_ref.is_not(None),
        )
        .order_by(Evidence.next_attempt_at, Evidence.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = []
    for row in rows:
        row.fetch_attempts += 1
        row.next_attempt_at = now + lease
        assert row.platform_ref is not None
        claimed.append(
            Download(
                id=row.id,
                identity_id=row.identity_id,
                platform=row.platform,
                platform_ref=row.platform_ref,
                kind=row.kind,
                attempts=row.fetch_attempts,
                received_at=row.received_at,
            )
        )
    return claimed


async def record_stored(*, session: AsyncSession, download: Download, blob: StoredBlob) -> None:
    """The file is in the blob store."""
    row = await session.get_one(Evidence, download.id)
    row.fetch_status = "stored"
    row.blob_key = blob.key
    row.sha256 = blob.sha256
    row.size = blob.size
    row.mime = blob.mime
    row.next_attempt_at = None
    row.last_error = None


async def record_retry(
    *, session: AsyncSession, download: Download, reason: str, at: datetime
) -> None:
    """A passing failure: try again at ``at``."""
    row = await session.get_one(Evidence, download.id)
    row.next_attempt_at = at
    row.last_error = reason[:500]


async def record_given_up(
    *, session: AsyncSession, download: Download, status: str, reason: str
) -> Evidence:
    """``expired``, ``refused`` or ``failed``: the file will not be stored."""
    row = await session.get_one(Evidence, download.id)
    row.fetch_status = status
    row.next_attempt_at = None
    row.last_error = reason[:500]
    return row
