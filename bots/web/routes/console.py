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
from bots.services import Services
from bots.staff import actions as staff_actions
from bots.staff import case_views, guards, status_moves
from bots.staff import errors_text as console_errors_text
from bots.staff import labels as console_labels
from bots.staff import reach as staff_reach
from bots.staff import views as staff_views
from bots.staff.auth import SecurityDep, client_address
from bots.staff.errors import ActionError
from bots.staff.schemas import ComplaintSummary
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import (
    CheckedDep,
    LangDep,
    SignedDep,
    new_login_csrf,
    render,
    safe_next,
)  # fmt: skip
from bots.web.routes.console_merchants import panel as merchant_panel
from bots.web.routes.staff_api import evidence_file
from bots.web.routes.staff_filters import NumberPath, PlatformQ, RowIdPath, SortQ, StatusQ, TypeQ
from bots.web.security import SESSION_COOKIE, session_started
from dialogs import lifecycle
from dialogs.validators import parse_phone
from storage import audit, casework, status_machine
from storage import live as live_rows
from storage import merchants as merchant_store
from storage import staff as staff_store
from storage.merchants import is_merchant_login


class ListRow(ComplaintSummary):
    """A row of the console's list: the API's summary with what is new since last read."""

    unread_messages: int = 0
    evidence_count: int = 0


router = APIRouter(prefix="/console", include_in_schema=False)
CSS = Path(__file__).parent.parent / "static" / "console.css"
JS = Path(__file__).parent.parent / "static" / "console.js"
LOGIN_CSRF = "weiquan_login_csrf"
# The forms whose success the case page announces (``?done=notes`` → "Note saved").
DONE = ("status", "notes", "messages", "assign", "request-evidence")


class ListQuery(BaseModel):
    """The list page's query string (blank fields mean "any")."""

    status: StatusQ | None = None
    type: TypeQ | None = None
    category: Line | None = Field(default=None, max_length=64)
    subcategory: Line | None = Field(default=None, max_length=64)
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

    def filters(self, me: str | None = None, cipher: Any = None) -> casework.Filters:
        """The storage filters; ``assignee=me`` becomes the signed-in username, and a
        search that reads as a phone number also matches the phone index exactly."""
        values = self.model_dump(exclude={"sort", "page"})
        if values["assignee"] == "me":
            values["assignee"] = me or "none"
        phone, _ = parse_phone(self.q) if self.q and cipher is not None else (None, None)
        values["phone_hash"] = cipher.phone_index(phone) if phone else None
        return casework.Filters(**values)

    def range_ok(self) -> bool:
        return not (self.filed_from and self.filed_to and self.filed_from > self.filed_to)


def list_query(request: Request) -> ListQuery:
    """Parse the query; 422 (an HTML page naming the field) on a bad value."""
    given = {k: v for k, v in request.query_params.items() if v != "" and k != "lang"}
    try:
        return ListQuery.model_validate(given)
    except ValidationError as error:
        raise HTTPException(422, f"{error.errors()[0]['loc'][0]}: bad filter") from None


@router.get("/static/console.css")
async def stylesheet() -> Response:
    return Response(CSS.read_text(encoding="utf-8"), media_type="text/css")


@router.get("/static/console.js")
async def script() -> Response:
    return Response(JS.read_text(encoding="utf-8"), media_type="text/javascript")


@router.get("")
async def home() -> RedirectResponse:
    return RedirectResponse("/console/complaints", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, lang: LangDep) -> HTMLResponse:
    token = new_login_csrf()
    back = safe_next(request.query_params.get("next"))
    response = render(request, "console/login.html", lang, None, login_csrf=token, next=back)
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
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password and start a session (rate-limited like the API)."""
    expected = request.cookies.get(LOGIN_CSRF, "")
    token = new_login_csrf()
    back = safe_next(next)

    def again(key: str, code: int) -> HTMLResponse:
        page = render(request, "console/login.html", lang, None, code, error=key,
                      login_csrf=token, next=back)  # fmt: skip
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
        if staff is not None and is_merchant_login(staff):
            staff = None  # merchants sign in at /merchant
        if staff is not None:
            audit.record(session, staff=staff, action="auth.console", now=services.now(),
                         detail={"address": address})  # fmt: skip
    if staff is None:
        await security.limiter.failed(username, address)
        return again("bad_login", 401)
    await security.limiter.succeeded(username, address)
    value, _ = security.signer.issue_session(staff.id, staff.session_epoch)
    return session_started(
        request, value, to=back or "/console/complaints", cookie=SESSION_COOKIE,
        path="/console", login_csrf=LOGIN_CSRF,
    )  # fmt: skip


@router.post("/logout")
async def logout(signed: CheckedDep) -> RedirectResponse:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/complaints", response_class=HTMLResponse)
async def complaints(
    request: Request, signed: SignedDep, services: ServicesDep, lang: LangDep
) -> HTMLResponse:
    """The list: filters as controls, saved views, sortable columns, deadline colours."""
    query = list_query(request)
    today = guards.today(services)
    error = None if query.range_ok() else "bad_range"
    async with services.database.sessions() as session:
        found = await casework.list_complaints(
            session=session, filters=query.filters(signed.staff.username, services.cipher),
            today=today,
            sort=query.sort, page=query.page, per_page=50,
        ) if error is None else casework.Page([], 0, 1, 50)  # fmt: skip
        staff_names = [s.username for s in await staff_store.list_staff(session=session)]
        stamp = await live_rows.stamp(session=session)
        counts = await live_rows.row_counts(
            session=session, complaint_ids=[c.id for c, _ in found.items]
        )
    rows = [
        ListRow.model_construct(None, **(dict(staff_views.summary(
            c, who, cipher=services.cipher, today=today, deadlines=services.deadlines
        )) | counts[c.id]))
        for c, who in found.items
    ]  # fmt: skip
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "lang") and v}
    return render(
        request, "console/list.html", lang, signed, 400 if error else 200, rows=rows,
        total=found.total, page=found.page, pages=max(1, -(-found.total // found.per_page)),
        query=query, params=params, statuses=lifecycle.STATUSES, error=error,
        categories=console_labels.categories(lang), staff_names=staff_names,
        platforms=console_labels.PLATFORMS, stamp=stamp,
    )  # fmt: skip


async def _detail_page(
    request: Request, signed: Any, services: Services, lang: str, number: str,
    *, error: str | None = None, status_code: int = 200, contact: Any = None,
    done: str | None = None, live: bool = False,
) -> HTMLResponse:  # fmt: skip
    today = guards.today(services)
    async with services.database.transaction() as session:
        complaint = await casework.by_number(session=session, number=number)
        if complaint is None:
            raise HTTPException(404, f"no complaint {number}")
        found = await casework.detail(session=session, complaint=complaint)
        case = await case_views.load(session=session, complaint=complaint, staff=signed.staff,
                                     cipher=services.cipher, now=services.now())  # fmt: skip
        if error is None and not live:
            # A refused action re-renders the page it came from, and the page's live
            # refresh reads what is already open: neither is a new view.
            audit.record(session, staff=signed.staff, action="complaint.view", target=number,
                         now=services.now())  # fmt: skip
        staff_names = [
            s.username for s in await staff_store.list_staff(session=session)
            if s.active and s.role in staff_store.ROLES
        ]  # fmt: skip
        mp = await merchant_panel(session, complaint, today)
        merchants = await merchant_store.names_of_actors(
            session=session, actors=(e.actor for e in found.events)
        )
        # What the page shows as of now: its pulse compares against this.
        stamp = await live_rows.stamp(session=session, complaint_id=complaint.id)
    body = staff_views.detail(
        found, case, cipher=services.cipher, today=today, deadlines=services.deadlines
    )
    return render(
        request, "console/detail.html", lang, signed, status_code, c=body, error=error,
        # Withdrawing is the consumer's own act: staff are not offered it.
        moves=[m for m in status_machine.allowed_moves(found.complaint.status) if m != "withdrawn"],
        contact=contact, done=done if done in DONE else None,
        staff_names=staff_names, stamp=stamp, mp=mp,
        merchant_error=request.query_params.get("merchant_error", "")[:300] or None,
        may_see_contact=staff_reach.may_see_contact(signed.staff, found.complaint),
        # A merchant's replies are labelled with the merchant's name, not the login's.
        actor_label=lambda a: console_labels.actor_label(a, lang, merchants),
    )  # fmt: skip


@router.get("/complaints/{number}", response_class=HTMLResponse)
async def detail(
    request: Request, number: NumberPath, signed: SignedDep, services: ServicesDep, lang: LangDep
) -> HTMLResponse:
    """One complaint: fields, timeline, evidence and the forms to work it."""
    done = request.query_params.get("done")
    live = request.query_params.get("live") == "1"
    return await _detail_page(request, signed, services, lang, number, done=done, live=live)


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
            await status_moves.change_status(
                services,
                staff,
                number,
                status,
                note,
                notify=notify == "on",
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
            request, signed, services, lang, number,
            error=console_errors_text.action_message(error, lang), status_code=error.status,
        )  # fmt: skip
    if contact is not None:
        return await _detail_page(request, signed, services, lang, number, contact=contact)
    return RedirectResponse(f"/console/complaints/{number}?done={action}", status_code=303)
