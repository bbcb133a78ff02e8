"""Retention: closed cases are kept whole for ``WEIQUAN_RETENTION_YEARS``, then anonymised.

A case under a legal hold (a supervisor's flag with a note) is skipped until the hold is
lifted. Anonymising keeps the statistics fields (see :mod:`storage.erasure`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs import lifecycle
from storage import erasure
from storage.models import Complaint


def years_before(moment: datetime, years: int) -> datetime:
    """``moment`` minus whole calendar ``years`` (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


async def anonymise_expired(
    *, session: AsyncSession, now: datetime, years: int, limit: int = 200
) -> list[str]:
    """Anonymise closed cases past the retention period; returns their numbers.

    At most ``limit`` per call, so one transaction stays short; the daily job calls
    again while a call fills its limit.
    """
    cutoff = years_before(now, years)
    rows = await session.scalars(
        select(Complaint)
        .where(
            Complaint.status.in_(sorted(lifecycle.FINAL_STATUSES)),
            Complaint.closed_at.is_not(None),
            Complaint.closed_at < cutoff,
            Complaint.anonymised_at.is_(None),
            Complaint.legal_hold.is_(False),
        )
        .order_by(Complaint.closed_at, Complaint.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    numbers = []
    for complaint in list(rows):
        await erasure.anonymise(
            session=session, complaint=complaint, now=now, reason="retention"
        )
        numbers.append(complaint.number)
    return numbers
