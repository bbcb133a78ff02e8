"""One complaint in the console: fields, timeline, evidence and the casework forms."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters.fields import FreeText, Line
from bots.services import Services
from bots.staff import actions as staff_actions
from bots.staff import case_views, guards, status_moves
from bots.staff import labels as console_labels
from bots.staff import reach as staff_reach
from bots.staff import views as staff_views
from bots.staff.errors import ActionError
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import CheckedDep, LangDep, SignedDep, render
from bots.web.routes.console_merchants import panel as merchant_panel
from bots.web.routes.staff_api import evidence_file
from bots.web.routes.staff_filters import NumberPath, RowIdPath
from dialogs.vocabulary import ComplaintStatus
from storage import audit, casework, status_machine
from storage import live as live_rows
from storage import merchants as merchant_store
from storage import staff as staff_store

router = APIRouter(prefix="/console", include_in_schema=False)
# The forms whose success the case page announces (``?done=notes`` → "Note saved").
DONE = ("status", "notes", "messages", "assign", "request-evidence")


async def detail_page(
    request: Request, signed: Any, services: Services, lang: str, number: str,
    *, error: str | None = None, status_code: int = 200, contact: Any = None,
    done: str | None = None, live: bool = False, merchant_error: str | None = None,
) -> HTMLResponse:  # fmt: skip
    today = guards.today(services)
    async with services.database.transaction() as session:
        complaint = await casework.by_number(session=session, number=number)
        if complaint is None:
            raise HTTPException(404, f"no complaint {number}")
        found = await casework.detail(session=session, complaint=complaint)
        case = await case_views.load(session=session, complaint=complaint, staff=signed.staff,
                                     cipher=services.cipher, now=services.now())  # fmt: skip
        if error is None and merchant_error is None and not live:
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
    # Withdrawing is the consumer's own act: staff are not offered it.
    allowed = status_machine.allowed_moves(found.complaint.status)
    return render(
        request, "console/detail.html", lang, signed, status_code, c=body, error=error,
        moves=[m for m in allowed if m != ComplaintStatus.WITHDRAWN],
        contact=contact, done=done if done in DONE else None,
        staff_names=staff_names, stamp=stamp, mp=mp,
        merchant_error=merchant_error,
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
    return await detail_page(request, signed, services, lang, number, done=done, live=live)


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
        return await detail_page(
            request, signed, services, lang, number,
            error=error.text(lang), status_code=error.status,
        )  # fmt: skip
    if contact is not None:
        return await detail_page(request, signed, services, lang, number, contact=contact)
    return RedirectResponse(f"/console/complaints/{number}?done={action}", status_code=303)
