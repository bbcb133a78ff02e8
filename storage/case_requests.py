"""Requests the desk waits for on a case: more evidence, or the consumer's rating.

A request is a row so it can never be lost with a conversation state: it stays
``open`` through whatever the consumer does until it is ``answered`` (a file arrives
for the case, the rating is given) or ``withdrawn`` by staff. The dialog keeps a copy
to remind the consumer (dialogs/open_requests.py); this table is the truth.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.command_results import OpenRequest
from storage.models import CaseRequest, Complaint

OPEN = "open"
ANSWERED = "answered"
WITHDRAWN = "withdrawn"
KINDS = ("evidence", "rating")


async def open_request(
    *,
    session: AsyncSession,
    complaint: Complaint,
    kind: str,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> CaseRequest:
    """Open a request; an open one of the same kind is renewed rather than doubled."""
    if kind not in KINDS:
        raise ValueError(f"unknown request kind {kind!r}")
    existing = await session.scalar(
        select(CaseRequest).where(
            CaseRequest.complaint_id == complaint.id,
            CaseRequest.kind == kind,
            CaseRequest.status == OPEN,
        )
    )
    if existing is not None:
        existing.note = note or existing.note
        existing.requested_by = actor
        existing.created_at = now
        return existing
    row = CaseRequest(
        complaint_id=complaint.id,
        kind=kind,
        note=note,
        status=OPEN,
        requested_by=actor,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def answer(
    *, session: AsyncSession, complaint_id: int, kind: str, now: datetime
) -> int:
    """Close the case's open requests of ``kind`` as answered by the consumer."""
    result = await session.execute(
        update(CaseRequest)
        .where(
            CaseRequest.complaint_id == complaint_id,
            CaseRequest.kind == kind,
            CaseRequest.status == OPEN,
        )
        .values(status=ANSWERED, closed_at=now, closed_by="consumer")
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def for_complaint(*, session: AsyncSession, complaint_id: int) -> list[CaseRequest]:
    """Every request of a case, open and closed, oldest first (staff detail)."""
    rows = await session.scalars(
        select(CaseRequest)
        .where(CaseRequest.complaint_id == complaint_id)
        .order_by(CaseRequest.id)
    )
    return list(rows)


async def by_id(
    *, session: AsyncSession, complaint: Complaint, request_id: int, lock: bool = False
) -> CaseRequest | None:
    """One request of this complaint; None for another complaint's."""
    query = select(CaseRequest).where(
        CaseRequest.id == request_id, CaseRequest.complaint_id == complaint.id
    )
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


def withdraw(request: CaseRequest, *, actor: str, now: datetime) -> None:
    """Staff no longer need the answer."""
    request.status = WITHDRAWN
    request.closed_at = now
    request.closed_by = actor


async def open_for_consumer(
    *, session: AsyncSession, identity_ids: Collection[int], complaint_id: int | None = None
) -> list[OpenRequest]:
    """The open requests on the complaints of these identities (one consumer's link group),
    oldest first, for the dialog; only those of ``complaint_id`` when given."""
    query = (
        select(CaseRequest.kind, Complaint.number, CaseRequest.note)
        .join(Complaint, Complaint.id == CaseRequest.complaint_id)
        .where(Complaint.identity_id.in_(sorted(identity_ids)), CaseRequest.status == OPEN)
        .order_by(CaseRequest.created_at, CaseRequest.id)
    )
    if complaint_id is not None:
        query = query.where(CaseRequest.complaint_id == complaint_id)
    rows = await session.execute(query)
    return [OpenRequest(kind, number, note) for kind, number, note in rows.all()]


async def end_open(
    *, session: AsyncSession, complaint_id: int, kind: str, actor: str, now: datetime
) -> int:
    """Withdraw the case's open requests of ``kind`` (the case ended; nothing to send)."""
    result = await session.execute(
        update(CaseRequest)
        .where(
            CaseRequest.complaint_id == complaint_id,
            CaseRequest.kind == kind,
            CaseRequest.status == OPEN,
        )
        .values(status=WITHDRAWN, closed_at=now, closed_by=actor)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def has_open(*, session: AsyncSession, complaint_id: int, kind: str) -> bool:
    """Whether the case has an open request of ``kind``."""
    found = await session.scalar(
        select(CaseRequest.id)
        .where(
            CaseRequest.complaint_id == complaint_id,
            CaseRequest.kind == kind,
            CaseRequest.status == OPEN,
        )
        .limit(1)
    )
    return found is not None
