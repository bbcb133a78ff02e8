"""The staff API (``/api/v1``): sign in, list, read and work complaints.

Errors are JSON ``{"detail": "…"}`` with 401 (not signed in), 403 (role), 404, 409
(lifecycle; ``allowed`` lists the moves that are) and 422 (bad input). Supervisor-only
operations (bulk notices, statistics, export, dead letters) are in ``staff_ops``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from adapters.fields import FreeText, Line
from bots.staff import actions as staff_actions
from bots.staff import case_views, guards, status_moves
from bots.staff import reach as staff_reach
from bots.staff import views as staff_views
from bots.staff.auth import SecurityDep, StaffDep, client_address
from bots.staff.errors import ActionError, Conflict
from bots.staff.schemas import ComplaintDetail, ComplaintPage
from bots.web import evidence_download
from bots.web.deps import ServicesDep
from bots.web.routes.staff_filters import FiltersDep, NumberPath, RowIdPath, SortQ
from bots.web.schemas.errors import SIGNED_IN, Problem
from bots.web.schemas.files import FILE_RESPONSE
from bots.web.schemas.staff import (
    Assigned,
    ContactShown,
    NoteAdded,
    NoticeQueued,
    StatusChanged,
    Token,
)
from bots.web.security import TOKEN_TTL_SECONDS
from dialogs import cleaning, lifecycle
from dialogs.vocabulary import ComplaintStatus, FetchStatus
from storage import audit, case_messages, casework
from storage import staff as staff_store
from storage.models import Evidence

router = APIRouter(prefix="/api/v1", tags=["staff API"], responses=SIGNED_IN)



def refused(error: ActionError) -> JSONResponse:
    """An action's refusal as JSON; a 409 names the allowed moves."""
    body: dict[str, Any] = {"detail": error.message}
    if isinstance(error, Conflict):
        body["allowed"] = list(error.allowed)
    return JSONResponse(body, status_code=error.status)


@router.post(
    "/auth/token",
    response_model=Token,
    responses={429: {"model": Problem, "description": "too many failed sign-ins; wait"}},
)
async def token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    services: ServicesDep,
    security: SecurityDep,
) -> Any:
    """Exchange a username and password (OAuth2 password form) for a bearer token."""
    address = client_address(request)
    if cleaning.has_controls(form.username):
        # No account has such a name, and PostgreSQL refuses NUL in a query (22021).
        raise HTTPException(
            401, "incorrect username or password", headers={"WWW-Authenticate": "Bearer"}
        )
    if await security.limiter.blocked(form.username, address):
        raise HTTPException(
            429,
            "too many failed sign-ins; wait 15 minutes and try again",
            headers={"Retry-After": str(security.limiter.window)},
        )
    async with services.database.transaction() as session:
        staff = await staff_store.authenticate(
            session=session, username=form.username, password=form.password
        )
        if staff is not None:
            audit.record(
                session, staff=staff, action="auth.token", now=services.now(),
                detail={"address": address},
            )  # fmt: skip
    if staff is None:
        await security.limiter.failed(form.username, address)
        # One answer for an unknown name and a wrong password: nothing to enumerate.
        raise HTTPException(
            401, "incorrect username or password", headers={"WWW-Authenticate": "Bearer"}
        )
    await security.limiter.succeeded(form.username, address)
    return Token(
        access_token=security.signer.issue_token(staff.id, staff.session_epoch),
        expires_in=TOKEN_TTL_SECONDS,
        role=staff.role,
    )


@router.get("/complaints", response_model=ComplaintPage)
async def list_complaints(
    staff: StaffDep,
    services: ServicesDep,
    filters: FiltersDep,
    sort: SortQ = "-filed_at",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ComplaintPage:
    """Complaints matching the filters, one page, with the total; contacts masked."""
    today = guards.today(services)
    async with services.database.sessions() as session:
        found = await casework.list_complaints(
            session=session, filters=filters, today=today, sort=sort, page=page,
            per_page=per_page,
        )  # fmt: skip
        unread = await case_messages.unread_counts(
            session=session, complaint_ids=[c.id for c, _ in found.items]
        )
    return ComplaintPage(
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        items=[
            staff_views.list_item(
                c, who, unread=unread.get(c.id, 0), cipher=services.cipher, today=today,
                deadlines=services.deadlines,
            )
            for c, who in found.items
        ],
    )  # fmt: skip


@router.get("/complaints/{number}", response_model=ComplaintDetail)
async def complaint_detail(
    number: NumberPath, staff: StaffDep, services: ServicesDep
) -> ComplaintDetail:
    """Every field, the timeline (moves, notes, messages both ways, notices), evidence,
    the conversation and the requests; opening it reads the consumer's messages for
    the assignee."""
    async with services.database.transaction() as session:
        complaint = await casework.by_number(session=session, number=number)
        if complaint is None:
            raise HTTPException(404, f"no complaint {number}")
        found = await casework.detail(session=session, complaint=complaint)
        case = await case_views.load(session=session, complaint=complaint, staff=staff,
                                     cipher=services.cipher, now=services.now())  # fmt: skip
        audit.record(session, staff=staff, action="complaint.view", target=number,
                     now=services.now())  # fmt: skip
    return staff_views.detail(
        found, case, cipher=services.cipher, today=guards.today(services),
        deadlines=services.deadlines,
    )  # fmt: skip


async def evidence_file(
    services: ServicesDep, staff: Any, number: str, evidence_id: int
) -> FileResponse:
    """The stored file of one evidence item, or a JSON 404 saying why it is not there."""
    async with services.database.transaction() as session:
        complaint = await casework.by_number(session=session, number=number)
        item = await session.get(Evidence, evidence_id) if complaint else None
        if complaint is None or item is None or item.complaint_id != complaint.id:
            raise HTTPException(404, f"no evidence {evidence_id} on complaint {number}")
        if item.fetch_status != FetchStatus.STORED or not item.blob_key:
            raise HTTPException(404, f"evidence {evidence_id} is not stored ({item.fetch_status})")
        audit.record(session, staff=staff, action="evidence.download", target=number,
                     now=services.now(), detail={"evidence": evidence_id})  # fmt: skip
    try:
        path = services.blobs.path(item.blob_key)
    except ValueError:
        raise HTTPException(404, "the stored file key is invalid") from None
    if not path.is_file():
        raise HTTPException(404, f"the file of evidence {evidence_id} is missing from the store")
    shown = evidence_download.present(mime=item.mime, number=number, evidence_id=item.id)
    return FileResponse(
        path,
        media_type=shown.media_type,
        filename=shown.file_name,
        content_disposition_type=shown.disposition,
        headers={**evidence_download.SAFETY_HEADERS, "X-Content-SHA256": item.sha256 or ""},
    )


@router.get(
    "/complaints/{number}/evidence/{evidence_id}",
    response_class=FileResponse,
    responses=FILE_RESPONSE,
)
async def download_evidence(
    number: NumberPath, evidence_id: RowIdPath, staff: StaffDep, services: ServicesDep
) -> FileResponse:
    """Stream one evidence file; its sha256 is in ``X-Content-SHA256``."""
    return await evidence_file(services, staff, number, evidence_id)


class StatusChange(BaseModel):
    status: Line = Field(max_length=16, description="the new status")
    note: FreeText | None = Field(
        default=None, max_length=2000, description="shown to the consumer"
    )
    reason: Line | None = Field(
        default=None, max_length=32,
        description="required for rejected: " + ", ".join(lifecycle.REJECTION_REASONS),
    )
    notify: bool = True


@router.post("/complaints/{number}/status", response_model=StatusChanged)
async def change_status(
    number: NumberPath, body: StatusChange, staff: StaffDep, services: ServicesDep
) -> StatusChanged | JSONResponse:
    """Move a complaint (checked by the lifecycle) and queue the consumer's notice."""
    try:
        done = await status_moves.change_status(
            services, staff, number, body.status, body.note, notify=body.notify,
            reason=body.reason,
        )
    except ActionError as error:
        return refused(error)
    return StatusChanged(
        number=done.number, status=ComplaintStatus(done.status), notices=list(done.notice_ids)
    )


class Text(BaseModel):
    text: FreeText = Field(min_length=1, max_length=2000)


@router.post("/complaints/{number}/notes", status_code=201, response_model=NoteAdded)
async def add_note(
    number: NumberPath, body: Text, staff: StaffDep, services: ServicesDep
) -> NoteAdded | JSONResponse:
    """Add an internal note (staff only; the consumer never sees it)."""
    try:
        await staff_actions.add_note(services, staff, number, body.text)
    except ActionError as error:
        return refused(error)
    return NoteAdded(number=number, note=body.text)


@router.post("/complaints/{number}/messages", status_code=202, response_model=NoticeQueued)
async def send_message(
    number: NumberPath, body: Text, staff: StaffDep, services: ServicesDep
) -> NoticeQueued | JSONResponse:
    """Send the consumer a message through their channel (via the outbox)."""
    try:
        notice_id = await staff_actions.send_message(services, staff, number, body.text)
    except ActionError as error:
        return refused(error)
    return NoticeQueued(number=number, notice=notice_id)


class Assignment(BaseModel):
    assignee: Line | None = Field(default=None, max_length=64, description="null to unassign")


@router.post("/complaints/{number}/assign", response_model=Assigned)
async def assign(
    number: NumberPath, body: Assignment, staff: StaffDep, services: ServicesDep
) -> Assigned | JSONResponse:
    """Assign the complaint to a staff member (supervisors)."""
    try:
        await staff_actions.assign(services, staff, number, body.assignee)
    except ActionError as error:
        return refused(error)
    return Assigned(number=number, assignee=body.assignee)


class EvidenceRequest(BaseModel):
    note: FreeText | None = Field(default=None, max_length=2000, description="what to send")


@router.post(
    "/complaints/{number}/request-evidence", status_code=202, response_model=NoticeQueued
)
async def request_evidence(
    number: NumberPath, staff: StaffDep, services: ServicesDep,
    body: EvidenceRequest | None = None,
) -> NoticeQueued | JSONResponse:
    """Ask the consumer for more evidence; their chat switches to adding files."""
    try:
        notice_id = await staff_actions.request_evidence(
            services, staff, number, body.note if body else None
        )
    except ActionError as error:
        return refused(error)
    return NoticeQueued(number=number, notice=notice_id)


@router.get("/complaints/{number}/contact", response_model=ContactShown)
async def contact(
    number: NumberPath, staff: StaffDep, services: ServicesDep
) -> ContactShown | JSONResponse:
    """The consumer's full name and phone (supervisors, or the assigned agent; audited)."""
    try:
        found = await staff_reach.reveal_contact(services, staff, number)
    except ActionError as error:
        return refused(error)
    return ContactShown(number=number, contact_name=found.name, contact_phone=found.phone)
