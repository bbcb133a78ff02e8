"""Deadline extensions: the staff API route and the console's button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from bots.staff.auth import StaffDep
from bots.staff.deadlines import extend_deadline
from bots.staff.errors import ActionError
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import CheckedDep, LangDep
from bots.web.routes.console_case import detail_page
from bots.web.routes.staff_api import refused
from bots.web.schemas.errors import SIGNED_IN
from bots.web.schemas.staff import DeadlineExtended

api = APIRouter(prefix="/api/v1", tags=["staff API"], responses=SIGNED_IN)
console = APIRouter(prefix="/console", include_in_schema=False)


class Extension(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="why; the consumer reads it")


@api.post("/complaints/{number}/deadlines/{clock}/extend", response_model=DeadlineExtended)
async def extend(
    number: str, clock: str, body: Extension, staff: StaffDep, services: ServicesDep
) -> DeadlineExtended | JSONResponse:
    """Extend one deadline where the rules allow it; the consumer is told the new date."""
    try:
        done = await extend_deadline(services, staff, number, clock, body.note)
    except ActionError as error:
        return refused(error)
    return DeadlineExtended(
        number=done.number,
        clock=done.clock,
        previous_due=done.previous_due.isoformat(),
        due=done.due.isoformat(),
        provisional=done.provisional,
        notice=done.notice_id,
    )


@console.post("/complaints/{number}/deadlines/{clock}/extend")
async def extend_from_console(
    request: Request,
    number: str,
    clock: str,
    signed: CheckedDep,
    services: ServicesDep,
    lang: LangDep,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The console's "extend" button; back to the detail page, or it with the refusal."""
    try:
        await extend_deadline(services, signed.staff, number, clock, note)
    except ActionError as error:
        return await detail_page(
            request, signed, services, lang, number,
            error=error.text(lang),
            status_code=error.status,
        )  # fmt: skip
    return RedirectResponse(f"/console/complaints/{number}", status_code=303)
