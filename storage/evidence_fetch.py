"""Evidence files the platforms hold for us: claimed for download under a lease.

A media message is recorded at once with the platform's reference (WeChat's MediaId,
Telegram's file_id) because the webhook must answer within WeChat's 5 s; the worker
downloads it later. The lease is ``next_attempt_at`` itself: a claimed row is pushed
into the future, so a worker that dies mid-download only delays it by one lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.vocabulary import FetchStatus, Platform
from storage.blobs import StoredBlob
from storage.models import Evidence

# WeChat keeps temporary media for 3 days after it is sent; past that a download can
# only fail, so it is not even tried.
PLATFORM_KEEPS_MEDIA = timedelta(days=3)


@dataclass(frozen=True)
class Download:
    """A pending evidence file claimed for download."""

    id: int
    identity_id: int
    platform: Platform
    platform_ref: str
    kind: str
    attempts: int
    received_at: datetime

    def expired(self, now: datetime) -> bool:
        """True when the platform no longer keeps the file."""
        return now - self.received_at > PLATFORM_KEEPS_MEDIA


async def claim_downloads(
    *, session: AsyncSession, now: datetime, lease: timedelta, limit: int = 10
) -> list[Download]:
    """Claim pending files whose turn has come; commit right after so the lease is seen.

    PostgreSQL skips rows another worker is claiming (``FOR UPDATE SKIP LOCKED``);
    SQLite ignores the clause and serialises writers instead.
    """
    rows = await session.scalars(
        select(Evidence)
        .where(
            Evidence.fetch_status == FetchStatus.PENDING,
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
        assert row.platform_ref is not None  # filtered in the query
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


async def record_stored(*, session: AsyncSession, download: Download, blob: StoredBlob) -> bool:
    """The file is in the blob store; False if the row is gone (draft cancelled)."""
    row = await session.get(Evidence, download.id, with_for_update=True)
    if row is None:
        return False
    row.fetch_status = FetchStatus.STORED
    row.blob_key = blob.key
    row.sha256 = blob.sha256
    row.size = blob.size
    row.mime = blob.mime
    row.next_attempt_at = None
    row.last_error = None
    return True


async def record_retry(
    *, session: AsyncSession, download: Download, reason: str, at: datetime
) -> None:
    """A passing failure: try again at ``at``."""
    row = await session.get(Evidence, download.id, with_for_update=True)
    if row is not None:
        row.next_attempt_at = at
        row.last_error = reason[:500]


async def record_given_up(
    *, session: AsyncSession, download: Download, status: FetchStatus, reason: str
) -> Evidence | None:
    """``expired``, ``refused`` or ``failed``: the file will not be stored.

    Returns the row, or None when it is gone (the consumer cancelled the draft).
    """
    row = await session.get(Evidence, download.id, with_for_update=True)
    if row is None:
        return None
    row.fetch_status = status
    row.next_attempt_at = None
    row.last_error = reason[:500]
    return row
