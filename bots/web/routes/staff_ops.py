"""Supervisor and admin operations of the staff API: bulk notices, statistics, export,
dead letters and staff accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from adapters.fields import FreeText, Identifier, Line
from bots.staff import guards
from bots.staff import reach as staff_reach
from bots.staff import views as staff_views
from bots.staff.auth import AdminDep, SupervisorDep
from bots.staff.errors import ActionError
from bots.staff.schemas import ComplaintSummary, Statistics
from bots.web.deps import ServicesDep
from bots.web.routes.staff_api import refused
from bots.web.routes.staff_filters import FiltersDep, RowIdPath, StatusQ, TypeQ
from bots.web.schemas.errors import SIGNED_IN
from bots.web.schemas.staff import (
    BulkSent,
    DeadLetters,
    LegalHoldSet,
    RetryQueued,
    StaffAccount,
    StaffCreated,
    StaffList,
)
from storage import audit, casework, outbox, statistics
from storage import staff as staff_store

router = APIRouter(prefix="/api/v1", tags=["staff API: supervisors"], responses=SIGNED_IN)
EXPORT_LIMIT = 50_000
Row = TypeVar("Row", bound=ComplaintSummary)
#: ``staff_views.summary`` or ``staff_views.detail_row``.
Shape = Callable[..., Row]


class BulkFilter(BaseModel):
    status: StatusQ | None = None
    type: TypeQ | None = None
    category: Line | None = Field(default=None, max_length=64)
    platform: Line | None = Field(default=None, max_length=16)
    assignee: Line | None = Field(default=None, max_length=64)
    overdue: casework.Overdue | None = None
    q: Line | None = Field(default=None, max_length=200)
    numbers: list[Annotated[Identifier, Field(max_length=32)]] | None = Field(
        default=None, max_length=1000, description="exactly these complaint numbers"
    )

    def filters(self) -> casework.Filters:
        given = self.model_dump()
        if self.numbers is not None:
            given["numbers"] = tuple(self.numbers)
        return casework.Filters(**given)


class BulkNotice(BaseModel):
    text: FreeText = Field(min_length=1, max_length=2000)
    text_en: FreeText | None = Field(default=None, max_length=2000)
    filter: BulkFilter = Field(default_factory=BulkFilter)


@router.post("/notices/bulk", status_code=202, response_model=BulkSent)
async def bulk_notice(
    body: BulkNotice, staff: SupervisorDep, services: ServicesDep
) -> BulkSent | JSONResponse:
    """One notice to every consumer with a matching complaint, never two to one consumer."""
    filters = body.filter.filters()
    try:
        count = await staff_reach.bulk_notice(services, staff, filters, body.text, body.text_en)
    except ActionError as error:
        return refused(error)
    return BulkSent(consumers=count)


@router.get("/statistics", response_model=Statistics)
async def get_statistics(
    staff: SupervisorDep, services: ServicesDep, filters: FiltersDep
) -> Statistics:
    """Counts by status, category, platform and day; on-time rates; ratings.

    Without ``filed_from`` the last 30 days are counted.
    """
    today = guards.today(services)
    if filters.filed_from is None:
        filters = casework.Filters(**{**vars(filters), "filed_from": today - timedelta(days=30)})
    async with services.database.sessions() as session:
        figures = await statistics.compute(
            session=session, filters=filters, today=today, deadlines=services.deadlines
        )
    return staff_views.statistics(figures, filters.filed_from, filters.filed_to)


async def export_rows(
    services: ServicesDep, staff: Any, filters: Any, *, shaped: Shape[Row]
) -> list[Row]:
    """Every complaint matching ``filters`` (masked) as ``shaped`` rows, with an audit
    entry: the API writes them as CSV, the console (``staff_views.detail_row``) as its
    own CSV in the staff member's language."""
    today = guards.today(services)
    async with services.database.transaction() as session:
        found = await casework.list_complaints(
            session=session, filters=filters, today=today, per_page=EXPORT_LIMIT
        )
        audit.record(
            session, staff=staff, action="complaint.export", now=services.now(),
            detail={"rows": len(found.items)},
        )  # fmt: skip
    return [
        shaped(c, who, cipher=services.cipher, today=today, deadlines=services.deadlines)
        for c, who in found.items
    ]


@router.get(
    "/complaints.csv",
    response_class=Response,
    responses={
        200: {
            "description": "one row per complaint",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def export_csv(staff: SupervisorDep, services: ServicesDep, filters: FiltersDep) -> Response:
    """The filtered list as CSV, contacts masked."""
    rows = await export_rows(services, staff, filters, shaped=staff_views.summary)
    return Response(
        staff_views.csv_text(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="complaints.csv"'},
    )


@router.get("/outbox/dead", response_model=DeadLetters)
async def dead_letters(staff: SupervisorDep, services: ServicesDep) -> DeadLetters:
    """Notices that will not go out by themselves (dead, undeliverable), with reasons."""
    async with services.database.sessions() as session:
        rows = await outbox.dead_notices(session=session, limit=200)
    return DeadLetters(items=[staff_views.notice_item(n) for n in rows])


@router.post("/outbox/{notice_id}/retry", status_code=202, response_model=RetryQueued)
async def retry(
    notice_id: RowIdPath, staff: SupervisorDep, services: ServicesDep
) -> RetryQueued | JSONResponse:
    """Queue a dead or undeliverable notice again; the worker sends it."""
    try:
        await staff_reach.retry_dead(services, staff, notice_id)
    except ActionError as error:
        return refused(error)
    return RetryQueued(notice=notice_id, status="pending")


class LegalHold(BaseModel):
    hold: bool
    note: str = Field(default="", max_length=2000)


@router.post("/complaints/{number}/legal-hold", response_model=LegalHoldSet)
async def legal_hold(
    number: str, body: LegalHold, staff: SupervisorDep, services: ServicesDep
) -> LegalHoldSet | JSONResponse:
    """Place or lift a legal hold: a held case is not anonymised when its retention ends."""
    note = body.note.strip()
    if body.hold and not note:
        raise HTTPException(422, "a legal hold needs a note saying why")
    async with services.database.transaction() as session:
        try:
            complaint = await guards.locked_complaint(session, number[:32])
        except ActionError as error:
            return refused(error)
        complaint.legal_hold = body.hold
        complaint.legal_hold_note = note or None
        audit.record(
            session, staff=staff, action="complaint.legal_hold", target=complaint.number,
            now=services.now(), detail={"hold": body.hold, "note": note},
        )
    return LegalHoldSet(number=complaint.number, legal_hold=body.hold, note=note or None)


class NewStaff(BaseModel):
    username: Identifier = Field(min_length=2, max_length=64)
    role: Line = Field(max_length=16)
    password: str = Field(min_length=staff_store.MIN_PASSWORD, max_length=256)
    display_name: Line | None = Field(default=None, max_length=100)


@router.get("/staff", response_model=StaffList)
async def list_staff(staff: AdminDep, services: ServicesDep) -> StaffList:
    """Every staff account (admins)."""
    async with services.database.sessions() as session:
        rows = await staff_store.list_staff(session=session)
    return StaffList(
        items=[
            StaffAccount(username=s.username, role=s.role, active=s.active,
                         display_name=s.display_name)
            for s in rows
        ]
    )  # fmt: skip


@router.post("/staff", status_code=201, response_model=StaffCreated)
async def create_staff(body: NewStaff, staff: AdminDep, services: ServicesDep) -> StaffCreated:
    """Create a staff account (admins)."""
    try:
        async with services.database.transaction() as session:
            made = await staff_store.create_staff(
                session=session, username=body.username, role=body.role,
                password=body.password, now=services.now(), display_name=body.display_name,
            )  # fmt: skip
            audit.record(session, staff=staff, action="staff.create", target=made.username,
                         now=services.now(), detail={"role": made.role})  # fmt: skip
    except staff_store.StaffError as error:
        raise HTTPException(422, str(error)) from None
    return StaffCreated(username=made.username, role=made.role)
