"""What the console's pulse asks: has anything changed, and who else has a case open.

:func:`stamp` folds the newest row of every table a staff member watches (complaints,
timeline events, consumer messages, notices and their delivery, evidence) into one
short string; the page refetches its live parts when the string changes.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.case_messages import has_unread, unread_counts
from storage.models import (
    CaseMessage,
    CasePresence,
    Complaint,
    ComplaintEvent,
    Evidence,
    OutboxNotice,
    Staff,
)  # fmt: skip

# Pulses come every few seconds; a row this old means the page was closed.
PRESENT_FOR = timedelta(seconds=30)


async def stamp(*, session: AsyncSession, complaint_id: int | None = None) -> str:
    """A fingerprint of the watched rows (of one complaint, or of all)."""
    parts: list[Any] = []
    for query in (
        select(func.max(Complaint.updated_at), func.count(Complaint.id)),
        select(func.max(ComplaintEvent.id)),
        select(func.max(CaseMessage.id), func.count(CaseMessage.read_at)),
        select(func.max(OutboxNotice.id), func.max(OutboxNotice.sent_at)),
        select(func.max(Evidence.id), func.count(Evidence.blob_key)),
    ):
        table = query.get_final_froms()[0]
        if complaint_id is not None:
            column = table.c.id if table is Complaint.__table__ else table.c.complaint_id
            query = query.where(column == complaint_id)
        row = (await session.execute(query)).one()
        parts.extend(str(value) for value in row)
    return "|".join(parts)


async def here(
    *, session: AsyncSession, complaint_id: int, staff_id: int, now: datetime
) -> list[str]:
    """Record that ``staff_id`` has the case open; the others who have it open too."""
    row = await session.get(CasePresence, (complaint_id, staff_id))
    if row is None:
        try:
            # Two tabs of one staff member may insert at once: the second one just lost.
            async with session.begin_nested():
                session.add(CasePresence(complaint_id=complaint_id, staff_id=staff_id, seen_at=now))
        except IntegrityError:
            pass
    else:
        row.seen_at = now
    await session.execute(delete(CasePresence).where(CasePresence.seen_at < now - PRESENT_FOR))
    names = await session.scalars(
        select(Staff.username)
        .join(CasePresence, CasePresence.staff_id == Staff.id)
        .where(CasePresence.complaint_id == complaint_id, CasePresence.staff_id != staff_id)
        .order_by(Staff.username)
    )
    return list(names)


async def unread_cases(*, session: AsyncSession, staff_id: int) -> int:
    """Cases with an unread consumer message that are this staff member's or nobody's."""
    query = select(func.count(Complaint.id)).where(
        has_unread(), or_(Complaint.assignee_id == staff_id, Complaint.assignee_id.is_(None))
    )
    return int(await session.scalar(query) or 0)


async def row_counts(
    *, session: AsyncSession, complaint_ids: Collection[int]
) -> dict[int, dict[str, int]]:
    """Per complaint of a list page: ``unread_messages`` and ``evidence_count``.

    The counts a list row shows, so the row itself changes when a consumer writes or
    sends evidence while the list is open.
    """
    counts = {cid: {"unread_messages": 0, "evidence_count": 0} for cid in complaint_ids}
    if not counts:
        return counts
    for cid, n in (await unread_counts(session=session, complaint_ids=complaint_ids)).items():
        counts[cid]["unread_messages"] = n
    files = await session.execute(
        select(Evidence.complaint_id, func.count())
        .where(Evidence.complaint_id.in_(sorted(counts)))
        .group_by(Evidence.complaint_id)
    )
    for complaint_id, files_n in files.all():
        if complaint_id is not None:
            counts[int(complaint_id)]["evidence_count"] = int(files_n)
    return counts
