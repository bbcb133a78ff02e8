"""The staff web console (``/console``): sign in, list, detail, evidence and casework.

Server-rendered Jinja2 with plain forms: every change is a POST carrying the session's
CSRF token, answered with a redirect (so a reload never repeats it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from adapters.fields import FreeText, Line
from bots import case_views, staff_actions, staff_reach, staff_views
from bots.deps import ServicesDep
from bots.routes.console_base import CheckedDep, LangDep, SignedDep, new_login_csrf, render
from bots.routes.staff_api import evidence_file
from bots.routes.staff_filters import NumberPath, PlatformQ, RowIdPath, SortQ, StatusQ, TypeQ
from bots.security import SESSION_COOKIE, SESSION_TTL_SECONDS
from bots.staff_actions import ActionError
from bots.staff_auth import SecurityDep, client_address
from dialogs import lifecycle
from storage import audit, casework
from storage import staff as staff_store

router = APIRouter(prefix="/console", include_in_schema=False)
CSS = Path(__file__).parent.parent / "static" / "console.css"
LOGIN_CSRF = "weiquan_login_csrf"


class ListQuery(BaseModel):
    """The list page's query string (blank fields mean "any")."""

    status: StatusQ | None = None
    type: TypeQ | None = None
    category: Line | None = Field(default=None, max_length=64)
    platform: PlatformQ | None = None
    assignee: Line | None = Field(default=None, max_length=64)
    overdue: casework.Overdue | None = None
    due_within_days: int | None = Field(default=None, ge=0, le=60)
    filed_from: date | None = None
    filed_to: date | None = None
    q: Line | None = Field(default=None, max_length=200)
    unread: bool | None = None
    sort: SortQ = "-filed_at"
    page: int = Field(default=1, ge=1, le=100_000)

    def filters(self) -> casework.Filters:
        return casework.Filters(**self.model_dump(exclude={"sort", "page"}))


def list_query(request: Request) -> ListQuery:
    """Parse the query; 422 with the reason on a bad value."""
    given = {k: v for k, v in request.query_params.items() if v != "" and k != "lang"}
    try:
        return ListQuery.model_validate(given)
    except ValidationError as error:
        raise HTTPException(422, f"bad filter: {error.errors()[0]['loc'][0]}") from None


@router.get("/static/console.css")
async def stylesheet() -> Response:
    return Response(CSS.read_text(encoding="utf-8"), media_type="text/css")


@router.get("")
async def home() -> RedirectResponse:
    return RedirectResponse("/console/complaints", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, lang: LangDep) -> HTMLResponse:
    token = new_login_csrf()
    response = render(request, "console/login.html", lang, None, login_csrf=token)
    response.set_cookie(LOGIN_CSRF, token, path="/console", httponly=True, samesite="strict")
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    services: ServicesDep,
    security: SecurityDep,
    lang: LangDep,
    username: Annotated[Line, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the password and start a session (rate-limited like the API)."""
    expected = request.cookies.get(LOGIN_CSRF, "")
    token = new_login_csrf()

    def again(key: str, code: int) -> HTMLResponse:
        page = render(request, "console/login.html", lang, None, code, error=key, login_csrf=token)
        page.set_cookie(LOGIN_CSRF, token, path="/console", httponly=True, samesite="strict")
        return page

    if not expected or expected != csrf:
        return again("forbidden", 403)
    address = client_address(request)
    if await security.limiter.blocked(username, address):
        return again("too_many", 429)
    async with services.database.transaction() as session:
        staff = await staff_store.authenticate(
            session=session, username=username, password=password
        )
        if staff is not None:
            audit.record(session, staff=staff, action="auth.console", now=services.now(),
                         detail={"address": address})  # fmt: skip
    if staff is None:
        await security.limiter.failed(username, address)
        return again("bad_login", 401)
    await security.limiter.succeeded(username, address)
    value, _ = security.signer.issue_session(staff.id)
    response = RedirectResponse("/console/complaints", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, value, max_age=SESSION_TTL_SECONDS, path="/console", httponly=True,
        samesite="lax", secure=request.url.scheme == "https",
    )  # fmt: skip
    response.delete_cookie(LOGIN_CSRF, path="/console")
    return response


@router.post("/logout")
async def logout(signed: CheckedDep) -> RedirectResponse:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/complaints", response_class=HTMLResponse)
async def complaints(
    request: Request, signed: SignedDep, services: ServicesDep, lang: LangDep
) -> HTMLResponse:
    """The list with filters and deadline highlighting."""
    query = list_query(request)
    today = staff_actions.today(services)
    async with services.database.sessions() as session:
        found = await casework.list_complaints(
            session=session, filters=query.filters(), today=today, sort=query.sort,
            page=query.page, per_page=50,
        )  # fmt: skip
    rows = [
        staff_views.summary(
            c, who, cipher=services.cipher, today=today, deadlines=services.deadlines
        )
        for c, who in found.items
    ]
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(
        request, "console/list.html", lang, signed, rows=rows, total=found.total,
        page=found.page, pages=max(1, -(-found.total // found.per_page)), query=query,
        params=params, statuses=lifecycle.STATUSES,
    )  # fmt: skip


async def _detail_page(
    request: Request, signed: Any, services: Any, lang: str, number: str,
    *, error: str | None = None, status_code: int = 200, contact: Any = None,
) -> HTMLResponse:  # fmt: skip
    today = staff_actions.today(services)
    async with services.database.transaction() as session:
        complaint = await casework.by_number(session=session, number=number)
        if complaint is None:
            raise HTTPException(404, f"no complaint {number}")
        found = await casework.detail(session=session, complaint=complaint)
        case = await case_views.load(session=session, complaint=complaint, staff=signed.staff,
                                     cipher=services.cipher, now=services.now())  # fmt: skip
        if error is None:
            # A refused action re-renders the page it came from: that is no new view.
            audit.record(session, staff=signed.staff, action="complaint.view", target=number,
                         now=services.now())  # fmt: skip
        staff_names = [
            s.username for s in await staff_store.list_staff(session=session) if s.active
        ]
    body = case_views.merge(
        staff_views.detail(
            found, cipher=services.cipher, today=today, deadlines=services.deadlines
        ),
        case,
    )
    return render(
        request, "console/detail.html", lang, signed, status_code, c=body, error=error,
        moves=lifecycle.allowed_moves(found.complaint.status), contact=contact,
        staff_names=staff_names,
        may_see_contact=staff_reach.may_see_contact(signed.staff, found.complaint),
    )  # fmt: skip


@router.get("/complaints/{number}", response_class=HTMLResponse)
async def detail(
    request: Request, number: NumberPath, signed: SignedDep, services: ServicesDep, lang: LangDep
) -> HTMLResponse:
    """One complaint: fields, timeline, evidence and the forms to work it."""
    return await _detail_page(request, signed, services, lang, number)


@router.get("/complaints/{number}/evidence/{evidence_id}")
async def evidence(
    number: NumberPath, evidence_id: RowIdPath, signed: SignedDep, services: ServicesDep
) -> Any:
    """An evidence file for the viewer (inline images, players, downloads)."""
    return await evidence_file(services, signed.staff, number, evidence_id)


@router.post("/complaints/{number}/{action}", response_class=HTMLResponse)
async def act(
    request: Request,
    number: NumberPath,
    action: Literal["status", "notes", "messages", "assign", "request-evidence", "contact"],
    signed: CheckedDep,
    services: ServicesDep,
    lang: LangDep,
    status: Annotated[Line, Form(max_length=16)] = "",
    reason: Annotated[Line, Form(max_length=32)] = "",
    note: Annotated[FreeText, Form(max_length=2000)] = "",
    text: Annotated[FreeText, Form(max_length=2000)] = "",
    assignee: Annotated[Line, Form(max_length=64)] = "",
    notify: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Every casework form posts here; success redirects back to the detail page."""
    staff = signed.staff
    contact = None
    try:
        if action == "status":
            await staff_actions.change_status(
                services, staff, number, status, note, notify=notify == "on",
                reason=reason or None,
            )
        elif action == "notes":
            await staff_actions.add_note(services, staff, number, text)
        elif action == "messages":
            await staff_actions.send_message(services, staff, number, text)
        elif action == "assign":
            await staff_actions.assign(services, staff, number, assignee or None)
        elif action == "request-evidence":
            await staff_actions.request_evidence(services, staff, number, note)
        else:
            contact = await staff_reach.reveal_contact(services, staff, number)
    except ActionError as error:
        return await _detail_page(
            request, signed, services, lang, number, error=error.message,
            status_code=error.status,
        )  # fmt: skip
    if contact is not None:
        return await _detail_page(request, signed, services, lang, number, contact=contact)
    return RedirectResponse(f"/console/complaints/{number}", status_code=303)
