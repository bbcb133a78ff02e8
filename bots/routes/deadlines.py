"""Deadline extensions: the staff API route and the console's button."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from bots import console_errors_text
from bots.deps import ServicesDep
from bots.routes.console import _detail_page
from bots.routes.console_base import CheckedDep, LangDep
from bots.routes.staff_api import refused
from bots.staff_actions import ActionError
from bots.staff_auth import StaffDep
from bots.staff_deadlines import extend_deadline

api = APIRouter(prefix="/api/v1", tags=["staff API"])
console = APIRouter(prefix="/console", include_in_schema=False)


class Extension(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="why; the consumer reads it")


@api.post("/complaints/{number}/deadlines/{clock}/extend")
async def extend(
    number: str, clock: str, body: Extension, staff: StaffDep, services: ServicesDep
) -> Any:
    """Extend one deadline where the rules allow it; the consumer is told the new date."""
    try:
        done = await extend_deadline(services, staff, number, clock, body.note)
    except ActionError as error:
        return refused(error)
    return {
        "number": done.number,
        "clock": done.clock,
        "previous_due": done.previous_due.isoformat(),
        "due": done.due.isoformat(),
        "provisional": done.provisional,
        "notice": done.notice_id,
    }


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
        return await _detail_page(
            request, signed, services, lang, number,
            error=console_errors_text.action_message(error, lang),
            status_code=error.status,
        )  # fmt: skip
    return RedirectResponse(f"/console/complaints/{number}", status_code=303)
