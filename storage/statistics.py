"""Statistics for supervisors: counts, on-time rates per clock, time to acceptance, ratings.

On-time rates follow the clocks of each request type (``dialogs/flow.yaml``): a clock
is *met on time* when the case first moves from one of the clock's running statuses to
one of its ``met_by`` statuses on or before the due date (the local day of the move
counts), and *late* when that move came after the due date or the case still runs
after it. For a complaint:

* acceptance — a decision (accepted, rejected or transferred) by ``accept_due``;
* resolution — ``resolved`` or ``failed`` by ``resolve_due``;
* mediation — ``resolved`` or ``failed`` out of mediation by ``mediation_due``;

for a report, the decision whether to open a case by ``decision_due``; for a
consultation or suggestion, the answer by ``answer_due``. Cases still within a clock
count in neither the numerator nor the denominator of its rate. Dates are local days
(``WEIQUAN_TIMEZONE``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.clock import local_date
from dialogs.clocks import CLOCK_NAMES
from storage import casework
from storage.deadlines import COLUMNS, Deadlines
from storage.models import Complaint, ComplaintEvent
from storage.workdays import WorkCalendar


def _rate(on_time: int, late: int) -> float | None:
    total = on_time + late
    return round(on_time / total, 4) if total else None


async def compute(
    *,
    session: AsyncSession,
    filters: casework.Filters,
    today: date,
    deadlines: Deadlines | None = None,
) -> dict[str, Any]:
    """Every figure for the complaints matching ``filters`` (usually a filing date range)."""
    deadlines = deadlines or Deadlines(WorkCalendar())
    columns = [
        Complaint.id, Complaint.type, Complaint.status, Complaint.category, Complaint.platform,
        Complaint.filed_at, Complaint.accepted_at, Complaint.rating,
        *(getattr(Complaint, column) for column in COLUMNS.values()),
    ]  # fmt: skip
    rows = (await session.execute(casework.where(select(*columns), filters, today=today))).all()
    moves: dict[int, list[tuple[datetime, str | None, str | None]]] = {}
    ids = [r.id for r in rows]
    # Chunked: PostgreSQL and SQLite cap the parameters of one statement.
    for offset in range(0, len(ids), 5000):
        events = await session.execute(
            select(
                ComplaintEvent.complaint_id,
                ComplaintEvent.at,
                ComplaintEvent.from_status,
                ComplaintEvent.to_status,
            )
            .where(
                ComplaintEvent.kind == "status",
                ComplaintEvent.complaint_id.in_(ids[offset : offset + 5000]),
            )
            .order_by(ComplaintEvent.at, ComplaintEvent.id)
        )
        for cid, at, before, after in events.all():
            moves.setdefault(cid, []).append((at, before, after))

    counts = {name: [0, 0] for name in CLOCK_NAMES}  # [on time, late]
    hours_to_accept: list[float] = []
    for r in rows:
        for rule in deadlines.clocks_of(r.type):
            due = getattr(r, COLUMNS[rule.name])
            if due is None:
                continue
            met = next(
                (
                    at
                    for at, before, after in moves.get(r.id, ())
                    if before in rule.running and after in rule.met_by
                ),
                None,
            )
            if met is not None:
                counts[rule.name][0 if local_date(met) <= due else 1] += 1
            elif r.status in rule.running and due < today:
                counts[rule.name][1] += 1
        if r.accepted_at is not None:
            hours_to_accept.append((r.accepted_at - r.filed_at).total_seconds() / 3600)

    clocks = {
        name: {"on_time": on_time, "late": late, "on_time_rate": _rate(on_time, late)}
        for name, (on_time, late) in counts.items()
    }
    ratings = [r.rating for r in rows if r.rating is not None]
    by_day = Counter(local_date(r.filed_at).isoformat() for r in rows)
    return {
        "total": len(rows),
        "by_status": dict(Counter(r.status for r in rows).most_common()),
        "by_category": dict(Counter(r.category for r in rows).most_common()),
        "by_platform": dict(Counter(r.platform for r in rows).most_common()),
        "by_type": dict(Counter(r.type for r in rows).most_common()),
        "by_day": dict(sorted(by_day.items())),
        "clocks": clocks,
        # The two 12315 rates, also at the top level as before.
        "acceptance": clocks["acceptance"],
        "resolution": clocks["resolution"],
        "median_hours_to_acceptance": (
            round(statistics.median(hours_to_accept), 2) if hours_to_accept else None
        ),
        "ratings": {
            "count": len(ratings),
            "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
            "distribution": {str(n): ratings.count(n) for n in range(1, 6)},
        },
    }
