"""Staff queries over complaints: filtered lists, detail with timeline, notes, assignment.

Deadlines, as the desk reads them: every request type has its clocks (the ``clocks``
table of ``dialogs/flow.yaml``), each with a due date on the complaint and the statuses
in which it runs. A case is

* **overdue** on a clock while it is still in one of the clock's running statuses after
  the due date: ``acceptance`` (a complaint still ``submitted``, 7 working days),
  ``resolution`` (``accepted`` or ``mediating``, 60), ``mediation`` (``mediating``, 45
  after acceptance), ``decision`` (a report still ``submitted``, 15), ``answer`` (a
  consultation or suggestion still ``submitted``);
* **near** a clock — the same, with the due date within ``near_days`` days from today
  (today included).

A complaint that has moved on (accepted, rejected, transferred, resolved…) is never
overdue for the deadline it already met or missed: the timeline keeps that record.

``merchant`` is the merchant's clock, not the desk's: a case forwarded to a merchant
that has not answered by its ``answer_due`` (and was not taken back). ``any`` means any
of the desk's clocks and leaves it out.
"Today" and the filing-date filters are local days (``WEIQUAN_TIMEZONE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, TypeVarTuple

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.clock import day_end, day_start
from dialogs.clocks import CLOCK_NAMES, load_clocks, running_where
from dialogs.vocabulary import ComplaintStatus, Platform
from storage.case_messages import has_unread
from storage.deadlines import COLUMNS
from storage.models import (
    Complaint,
    ComplaintEvent,
    Evidence,
    Identity,
    MerchantCase,
    OutboxNotice,
    Settlement,
    Staff,
)

_Ts = TypeVarTuple("_Ts")
Overdue = Literal[
    "acceptance", "resolution", "mediation", "decision", "answer", "any", "merchant"
]
AWAITING_ACCEPTANCE = (ComplaintStatus.SUBMITTED,)
AWAITING_RESOLUTION = (ComplaintStatus.ACCEPTED, ComplaintStatus.MEDIATING)
SORTS: dict[str, Any] = {
    "filed_at": Complaint.filed_at,
    "updated_at": Complaint.updated_at,
    "accept_due": Complaint.accept_due,
    "resolve_due": Complaint.resolve_due,
    "mediation_due": Complaint.mediation_due,
    "decision_due": Complaint.decision_due,
    "answer_due": Complaint.answer_due,
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
    subcategory: str | None = None
    platform: str | None = None
    # A username, or "none" for unassigned complaints.
    assignee: str | None = None
    overdue: Overdue | None = None
    # Near or past either deadline within this many days (the supervisor overview).
    due_within_days: int | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    q: str | None = None
    # The phone index of ``q`` when it reads as a phone number (exact match).
    phone_hash: str | None = None
    # True: cases with a consumer message nobody has read; False: none unread.
    unread: bool | None = None
    # Exactly these complaint numbers (a spike's complaints); empty matches nothing.
    numbers: tuple[str, ...] | None = None


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


def _due_before(clock: str, day: date) -> Any:
    """Cases whose ``clock`` runs and falls due before ``day``."""
    column = getattr(Complaint, COLUMNS[clock])
    cases = [
        and_(Complaint.type == type_id, Complaint.status.in_(sorted(running)), column < day)
        for type_id, running in sorted(running_where(clock).items())
    ]
    return or_(*cases) if cases else false()


def _any_due_before(day: date) -> Any:
    return or_(*(_due_before(clock, day) for clock in CLOCK_NAMES))


def merchant_overdue(today: date) -> list[Any]:
    """Conditions on ``MerchantCase`` and ``Complaint``: forwarded, not answered by its
    ``answer_due`` (a local date: due on ``today`` is not late yet), not taken back, and
    the case still open with the desk."""
    return [
        MerchantCase.forwarded_at.is_not(None),
        MerchantCase.answered_at.is_(None),
        MerchantCase.taken_back_at.is_(None),
        MerchantCase.answer_due < today,
        Complaint.status.in_(AWAITING_RESOLUTION),
    ]


def _is(column: Any, vocabulary: type[StrEnum], value: str) -> Any:
    """``column == value``; a value that is not of the column's vocabulary matches nothing
    (the column refuses to compare with it)."""
    try:
        return column == vocabulary(value)
    except ValueError:
        return false()


def where(query: Select[*_Ts], filters: Filters, *, today: date) -> Select[*_Ts]:
    """Apply ``filters`` to a query over complaints (joined to nothing else)."""
    f = filters
    for column, value in (
        (Complaint.type, f.type),
        (Complaint.category, f.category),
        (Complaint.subcategory, f.subcategory),
    ):
        if value:
            query = query.where(column == value)
    if f.status:
        query = query.where(_is(Complaint.status, ComplaintStatus, f.status))
    if f.platform:
        query = query.where(_is(Complaint.platform, Platform, f.platform))
    if f.assignee == "none":
        query = query.where(Complaint.assignee_id.is_(None))
    elif f.assignee:
        query = query.where(
            Complaint.assignee_id.in_(select(Staff.id).where(Staff.username == f.assignee))
        )
    if f.overdue == "merchant":
        late = select(MerchantCase.complaint_id).where(
            MerchantCase.complaint_id == Complaint.id, *merchant_overdue(today)
        )
        query = query.where(late.exists())
    elif f.overdue == "any":
        query = query.where(_any_due_before(today))
    elif f.overdue:
        query = query.where(_due_before(f.overdue, today))
    if f.due_within_days is not None:
        # "Within N days" means due on or before today + N, so before today + N + 1.
        query = query.where(_any_due_before(today + timedelta(days=f.due_within_days + 1)))
    # Filing days are local days: "filed on 24 November" starts at 16:00 UTC the day before.
    if f.filed_from:
        query = query.where(Complaint.filed_at >= day_start(f.filed_from))
    if f.filed_to:
        query = query.where(Complaint.filed_at < day_end(f.filed_to))
    if f.unread is not None:
        query = query.where(has_unread() if f.unread else ~has_unread())
    if f.numbers is not None:
        query = query.where(Complaint.number.in_(list(f.numbers)))
    if f.q and f.q.strip():
        pattern = _like(f.q.strip())
        query = query.where(
            or_(
                Complaint.number.ilike(pattern, escape="\\"),
                Complaint.merchant_name.ilike(pattern, escape="\\"),
                Complaint.description.ilike(pattern, escape="\\"),
                *([Complaint.phone_hash == f.phone_hash] if f.phone_hash else []),
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
    """``{"acceptance": "overdue"|"near", "resolution": …}`` for the clocks at risk."""
    flags: dict[str, str] = {}
    clocks = load_clocks()
    for rule in clocks.get(complaint.type) or clocks.get("complaint", ()):
        due = getattr(complaint, COLUMNS[rule.name])
        if complaint.status not in rule.running or due is None:
            continue
        name = rule.name
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
    settlements: list[Settlement]


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
    settlements = await session.scalars(
        select(Settlement).where(Settlement.complaint_id == complaint.id).order_by(Settlement.id)
    )
    return Detail(
        complaint, identity, assignee, list(events), list(notices), list(evidence),
        list(settlements),
    )


def add_event(
    session: AsyncSession,
    complaint: Complaint,
    *,
    kind: str,
    actor: str,
    note: str | None,
    now: datetime,
    public: bool,
    reason: str | None = None,
) -> ComplaintEvent:
    """Record a note, message or assignment on the timeline (``reason``: the code it is
    about, see :attr:`ComplaintEvent.reason`)."""
    event = ComplaintEvent(
        complaint_id=complaint.id, kind=kind, actor=actor, note=note, at=now, public=public,
        reason=reason,
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
