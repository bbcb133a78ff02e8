"""Statistics for supervisors: counts, on-time rates, time to acceptance, ratings.

On-time rates follow the 12315 deadlines:

* acceptance — a decision (accepted, rejected or transferred) on or before
  ``accept_due``; a complaint still ``submitted`` after ``accept_due`` counts as late;
* resolution — ``resolved`` or ``failed`` on or before ``resolve_due``; one still
  accepted or mediating after ``resolve_due`` counts as late.

Complaints still within their deadline count in neither the numerator nor the
denominator. Dates are read in the desk's local time (China, UTC+8 by default).
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import casework
from storage.models import Complaint, ComplaintEvent

DECISIONS = ("accepted", "rejected", "transferred")


def _rate(on_time: int, late: int) -> float | None:
    total = on_time + late
    return round(on_time / total, 4) if total else None


async def compute(
    *,
    session: AsyncSession,
    filters: casework.Filters,
    today: date,
    utc_offset_hours: int = 8,
) -> dict[str, Any]:
    """Every figure for the complaints matching ``filters`` (usually a filing date range)."""
    offset = timedelta(hours=utc_offset_hours)

    def local(value: datetime) -> date:
        return (value + offset).date()

    rows = (
        await session.execute(
            casework.where(
                select(
                    Complaint.id,
                    Complaint.status,
                    Complaint.category,
                    Complaint.platform,
                    Complaint.filed_at,
                    Complaint.accept_due,
                    Complaint.accepted_at,
                    Complaint.resolve_due,
                    Complaint.resolved_at,
                    Complaint.rating,
                ),
                filters,
                today=today,
            )
        )
    ).all()
    ids = [r.id for r in rows]
    decided: dict[int, datetime] = {}
    if ids:
        decisions = await session.execute(
            select(ComplaintEvent.complaint_id, func.min(ComplaintEvent.at))
            .where(
                ComplaintEvent.kind == "status",
                ComplaintEvent.from_status == "submitted",
                ComplaintEvent.to_status.in_(DECISIONS),
                ComplaintEvent.complaint_id.in_(ids),
            )
            .group_by(ComplaintEvent.complaint_id)
        )
        decided = {cid: at for cid, at in decisions.all()}

    accept_on_time = accept_late = resolve_on_time = resolve_late = 0
    hours_to_accept: list[float] = []
    for r in rows:
        decision = decided.get(r.id)
        if r.accept_due is not None:
            if decision is not None:
                if local(decision) <= r.accept_due:
                    accept_on_time += 1
                else:
                    accept_late += 1
            elif r.status in casework.AWAITING_ACCEPTANCE and r.accept_due < today:
                accept_late += 1
        if r.resolve_due is not None:
            if r.resolved_at is not None:
                if local(r.resolved_at) <= r.resolve_due:
                    resolve_on_time += 1
                else:
                    resolve_late += 1
            elif r.status in casework.AWAITING_RESOLUTION and r.resolve_due < today:
                resolve_late += 1
        if r.accepted_at is not None:
            hours_to_accept.append((r.accepted_at - r.filed_at).total_seconds() / 3600)

    ratings = [r.rating for r in rows if r.rating is not None]
    by_day = Counter(local(r.filed_at).isoformat() for r in rows)
    return {
        "total": len(rows),
        "by_status": dict(Counter(r.status for r in rows).most_common()),
        "by_category": dict(Counter(r.category for r in rows).most_common()),
        "by_platform": dict(Counter(r.platform for r in rows).most_common()),
        "by_day": dict(sorted(by_day.items())),
        "acceptance": {
            "on_time": accept_on_time,
            "late": accept_late,
            "on_time_rate": _rate(accept_on_time, accept_late),
        },
        "resolution": {
            "on_time": resolve_on_time,
            "late": resolve_late,
            "on_time_rate": _rate(resolve_on_time, resolve_late),
        },
        "median_hours_to_acceptance": (
            round(statistics.median(hours_to_accept), 2) if hours_to_accept else None
        ),
        "ratings": {
            "count": len(ratings),
            "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
            "distribution": {str(n): ratings.count(n) for n in range(1, 6)},
        },
    }
