"""The merchant part of the console's complaint page: link, forward, take back.

The detail page shows the linked merchant (or the registry's suggestions for the name
the consumer typed) with these forms; each posts here and redirects back, or shows the
page again with the refusal in its language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bots.merchants import forward as merchant_forward
from bots.merchants.schemas import MerchantCaseSummary, MerchantItem
from bots.merchants.views import case_summary, merchant_item
from bots.staff.errors import ActionError
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import CheckedDep, LangDep
from dialogs.clock import local_date
from storage import merchant_cases
from storage import merchants as merchant_store
from storage.models import Complaint

router = APIRouter(prefix="/console", include_in_schema=False)
CHOICES = 200


@dataclass(frozen=True)
class Panel:
    """The merchant part of the case page: what ``GET …/{number}/merchant`` returns, and
    the choices of the link form (the suggestions first, then the registry)."""

    linked: MerchantItem | None
    case: MerchantCaseSummary | None
    suggestions: list[MerchantItem]
    choices: list[MerchantItem]
    forwardable: bool
    forwarded_on: str | None


async def panel(session: AsyncSession, complaint: Complaint, today: date) -> Panel:
    """What the detail page shows about the merchant of a complaint."""
    case = await merchant_cases.case_of(session=session, complaint_id=complaint.id)
    linked = (
        await merchant_store.get(session=session, merchant_id=case.merchant_id) if case else None
    )
    suggestions = await merchant_store.suggest(session=session, typed=complaint.merchant_name)
    others = [m for m in await merchant_store.list_merchants(session=session, limit=CHOICES)
              if m not in suggestions]  # fmt: skip
    return Panel(
        linked=merchant_item(linked) if linked else None,
        case=case_summary(complaint, case, today) if case else None,
        suggestions=[merchant_item(m) for m in suggestions],
        choices=[merchant_item(m) for m in suggestions + others],
        forwardable=merchant_cases.forwardable(complaint),
        forwarded_on=local_date(case.forwarded_at).isoformat()
        if case and case.forwarded_at else None,
    )  # fmt: skip


@router.post("/complaints/{number}/merchant/{action}")
async def act(
    request: Request,
    number: str,
    action: Literal["link", "forward", "take-back"],
    signed: CheckedDep,
    services: ServicesDep,
    lang: LangDep,
    merchant_id: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Link, forward or take back; a refusal is shown in the merchant panel."""
    try:
        if action == "link":
            await merchant_forward.link(services, signed.staff, number, merchant_id)
        elif action == "forward":
            await merchant_forward.forward(services, signed.staff, number, note)
        else:
            await merchant_forward.take_back(services, signed.staff, number, note)
    except ActionError as error:
        # The case page shows this panel: imported here, as the page imports the panel.
        from bots.web.routes.console_case import detail_page

        return await detail_page(
            request, signed, services, lang, number,
            merchant_error=error.text(lang), status_code=error.status,
        )  # fmt: skip
    return RedirectResponse(f"/console/complaints/{number}", status_code=303)
