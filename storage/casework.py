"""Staff queries over complaints: filtered lists, detail with timeline, notes, assignment.

Deadlines, as the desk reads them (dates are the working-day deadlines set at filing):

* **overdue acceptance** — still ``submitted`` after ``accept_due`` has passed (the
  decision on acceptance is late: 12315 allows 7 working days);
* **overdue resolution** — still ``accepted`` or ``mediating`` after ``resolve_due``
  has passed (60 working days);
* **near** either deadline — the same statuses, with the due date within
  ``near_days`` days from today (today included).

A complaint that has moved on (accepted, rejected, transferred, resolved…) is never
overdue for the deadline it already met or missed: the timeline keeps that record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TypeVarTuple

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.case_messages import has_unread
from storage.models import Complaint, ComplaintEvent, Evidence, Identity, OutboxNotice, Staff

_Ts = TypeVarTuple("_Ts")
Overdue = Literal["acceptance", "resolution", "any"]
AWAITING_ACCEPTANCE = ("submitted",)
AWAITING_RESOLUTION = ("accepted", "mediating")
SORTS: dict[str, Any] = {
    "filed_at": Complaint.filed_at,
    "updated_at": Complaint.updated_at,
    "accept_due": Complaint.accept_due,
    "resolve_due": Complaint.resolve_due,
    "status": Complaint.status,
    "number": Complaint.number,
}
NEAR_DAYS = 2


@dataclass(frozen=True)
class Filters:
    """What a staff member asked for; every field optional, combined with AND."""

    status: str | None = None
    type: str | None = None
    category: str | None = None
    platform: str | None = None
    # A username, or "none" for unassigned complaints.
    assignee: str | None = None
    overdue: Overdue | None = None
    # Near or past either deadline within this many days (the supervisor overview).
    due_within_days: int | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    q: str | None = None
    # True: cases with a consumer message nobody has read; False: none unread.
    unread: bool | None = None


@dataclass(frozen=True)
class Page:
    """One page of a list, with the total of every match."""

    items: list[tuple[Complaint, str | None]]
    total: int
    page: int
    per_page: int


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _acceptance_due_before(day: date) -> Any:
    return and_(Complaint.status.in_(AWAITING_ACCEPTANCE), Complaint.accept_due < day)


def _resolution_due_before(day: date) -> Any:
    return and_(Complaint.status.in_(AWAITING_RESOLUTION), Complaint.resolve_due < day)


def where(query: Select[*_Ts], filters: Filters, *, today: date) -> Select[*_Ts]:
    """Apply ``filters`` to a query over complaints (joined to nothing else)."""
    f = filters
    for column, value in (
        (Complaint.status, f.status),
        (Complaint.type, f.type),
        (Complaint.category, f.category),
        (Complaint.platform, f.platform),
    ):
        if value:
            query = query.where(column == value)
    if f.assignee == "none":
        query = query.where(Complaint.assignee_id.is_(None))
    elif f.assignee:
        query = query.where(
            Complaint.assignee_id.in_(select(Staff.id).where(Staff.username == f.assignee))
        )
    if f.overdue == "acceptance":
        query = query.where(_acceptance_due_before(today))
    elif f.overdue == "resolution":
        query = query.where(_resolution_due_before(today))
    elif f.overdue == "any":
        query = query.where(or_(_acceptance_due_before(today), _resolution_due_before(today)))
    if f.due_within_days is not None:
        # "Within N days" means due on or before today + N, so before today + N + 1.
        limit = today + timedelta(days=f.due_within_days + 1)
        query = query.where(or_(_acceptance_due_before(limit), _resolution_due_before(limit)))
    if f.filed_from:
        query = query.where(Complaint.filed_at >= datetime.combine(f.filed_from, time(), UTC))
    if f.filed_to:
        end = datetime.combine(f.filed_to + timedelta(days=1), time(), UTC)
        query = query.where(Complaint.filed_at < end)
    if f.unread is not None:
        query = query.where(has_unread() if f.unread else ~has_unread())
    if f.q and f.q.strip():
        pattern = _like(f.q.strip())
        query = query.where(
            or_(
                Complaint.number.ilike(pattern, escape="\\"),
                Complaint.merchant_name.ilike(pattern, escape="\\"),
                Complaint.description.ilike(pattern, escape="\\"),
            )
        )
    return query


async def list_complaints(
    *,
    session: AsyncSession,
    filters: Filters,
    today: date,
    sort: str = "-filed_at",
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """A page of complaints matching ``filters`` with their assignee's username.

    ``sort`` is a key of ``SORTS``, with a leading ``-`` for descending order; the id
    breaks ties so pages never overlap.
    """
    descending = sort.startswith("-")
    column = SORTS[sort.lstrip("-")]
    total = await session.scalar(
        where(select(func.count()).select_from(Complaint), filters, today=today)
    )
    query = where(
        select(Complaint, Staff.username).outerjoin(Staff, Staff.id == Complaint.assignee_id),
        filters,
        today=today,
    )
    order = [column.desc(), Complaint.id.desc()] if descending else [column, Complaint.id]
    rows = await session.execute(
        query.order_by(*order).offset((page - 1) * per_page).limit(per_page)
    )
    return Page(
        items=[(c, name) for c, name in rows.all()],
        total=int(total or 0),
        page=page,
        per_page=per_page,
    )


def deadline_flags(
    complaint: Complaint, *, today: date, near_days: int = NEAR_DAYS
) -> dict[str, str]:
    """``{"acceptance": "overdue"|"near", "resolution": …}`` for the deadlines at risk."""
    flags: dict[str, str] = {}
    for name, statuses, due in (
        ("acceptance", AWAITING_ACCEPTANCE, complaint.accept_due),
        ("resolution", AWAITING_RESOLUTION, complaint.resolve_due),
    ):
        if complaint.status not in statuses or due is None:
            continue
        if due < today:
            flags[name] = "overdue"
        elif due <= today + timedelta(days=near_days):
            flags[name] = "near"
    return flags


async def by_number(*, session: AsyncSession, number: str, lock: bool = False) -> Complaint | None:
    """A complaint by its public number."""
    query = select(Complaint).where(Complaint.number == number)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


@dataclass(frozen=True)
class Detail:
    """Everything staff see of one complaint."""

    complaint: Complaint
    identity: Identity
    assignee: str | None
    events: list[ComplaintEvent]
    notices: list[OutboxNotice]
    evidence: list[Evidence]


async def detail(*, session: AsyncSession, complaint: Complaint) -> Detail:
    """The complaint with its whole timeline (internal notes included) and evidence."""
    identity = await session.get_one(Identity, complaint.identity_id)
    assignee = None
    if complaint.assignee_id is not None:
        assignee = await session.scalar(
            select(Staff.username).where(Staff.id == complaint.assignee_id)
        )
    events = await session.scalars(
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id)
        .order_by(ComplaintEvent.at, ComplaintEvent.id)
    )
    notices = await session.scalars(
        select(OutboxNotice)
        .where(OutboxNotice.complaint_id == complaint.id)
        .order_by(OutboxNotice.id)
    )
    evidence = await session.scalars(
        select(Evidence).where(Evidence.complaint_id == complaint.id).order_by(Evidence.id)
    )
    return Detail(complaint, identity, assignee, list(events), list(notices), list(evidence))


def add_event(
    session: AsyncSession,
    complaint: Complaint,
    *,
    kind: str,
    actor: str,
    note: str | None,
    now: datetime,
    public: bool,
) -> ComplaintEvent:
    """Record a note, message or assignment on the timeline."""
    event = ComplaintEvent(
        complaint_id=complaint.id, kind=kind, actor=actor, note=note, at=now, public=public
    )
    complaint.updated_at = now
    session.add(event)
    return event


async def consumers_matching(
    *, session: AsyncSession, filters: Filters, today: date
) -> list[Identity]:
    """Each consumer with a complaint matching ``filters``, once (bulk notices)."""
    ids = where(select(Complaint.identity_id), filters, today=today).distinct()
    rows = await session.scalars(select(Identity).where(Identity.id.in_(ids)).order_by(Identity.id))
    return list(rows)
