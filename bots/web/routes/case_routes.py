"""Pending requests of a case over the API and in the console: withdraw one.

The requests themselves are listed in the complaint detail (``requests``); evidence
requests are made with ``POST /api/v1/complaints/{number}/request-evidence`` and rating
requests by resolving or closing a complaint.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bots.staff import case_actions
from bots.staff.auth import StaffDep
from bots.staff.errors import ActionError
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import CheckedDep, LangDep
from bots.web.routes.console_case import detail_page
from bots.web.routes.staff_api import refused
from bots.web.schemas.errors import SIGNED_IN
from bots.web.schemas.staff import RequestWithdrawn

api = APIRouter(prefix="/api/v1", tags=["staff API"], responses=SIGNED_IN)
console = APIRouter(prefix="/console", include_in_schema=False)


@api.post("/complaints/{number}/requests/{request_id}/withdraw", response_model=RequestWithdrawn)
async def withdraw_request(
    number: str, request_id: int, staff: StaffDep, services: ServicesDep
) -> RequestWithdrawn | JSONResponse:
    """Withdraw an open evidence or rating request; the consumer is told it is not needed."""
    try:
        done = await case_actions.withdraw_request(services, staff, number, request_id)
    except ActionError as error:
        return refused(error)
    return RequestWithdrawn(
        number=done.number,
        request=done.request_id,
        kind=done.kind,
        status="withdrawn",
        notice=done.notice_id,
    )


@console.post("/complaints/{number}/requests/{request_id}/withdraw", response_class=HTMLResponse)
async def withdraw_request_form(
    request: Request,
    number: str,
    request_id: int,
    signed: CheckedDep,
    services: ServicesDep,
    lang: LangDep,
) -> Response:
    """The console's withdraw button next to an open request."""
    try:
        await case_actions.withdraw_request(services, signed.staff, number, request_id)
    except ActionError as error:
        return await detail_page(
            request, signed, services, lang, number,
            error=error.text(lang),
            status_code=error.status,
        )  # fmt: skip
    return RedirectResponse(f"/console/complaints/{number}", status_code=303)
