"""The console's alerts page (supervisors): merchants with a spike of complaints, with
the complaints and one button each to forward them all and to notify their consumers;
and merchants overdue with their answer.

The page reads the same alerts as ``GET /api/v1/alerts``; its forms post to the same
actions as ``POST /api/v1/alerts/spikes/{merchant_id}/…`` and redirect back with what
happened, so a reload never repeats a step.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters.fields import FreeText, Line
from bots.merchants.schemas import SpikeCase, SpikeSection
from bots.merchants.views import merchant_item, overdue_case
from bots.staff import guards
from bots.staff import spikes as spike_actions
from bots.staff.errors import ActionError
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import CheckedDep, LangDep, Signed, render
from bots.web.routes.console_ops import SupervisorPage
from bots.web.routes.staff_filters import RowIdPath
from dialogs import texts
from dialogs.clock import iso, local_date
from storage import alerts, merchant_cases
from storage import staff as staff_store
from storage.models import Complaint, MerchantCase

router = APIRouter(prefix="/console", include_in_schema=False)


async def checked_supervisor(signed: CheckedDep) -> Signed:
    """A supervisor whose form carried the session's CSRF token."""
    if not staff_store.role_at_least(signed.staff.role, "supervisor"):
        raise HTTPException(403, "this needs the supervisor role")
    return signed


CheckedSupervisor = Annotated[Signed, Depends(checked_supervisor)]


def _row(complaint: Complaint, case: MerchantCase | None, merchant_id: int) -> SpikeCase:
    """One complaint of a spike and where it stands with the merchant."""
    forwarded_at = case.forwarded_at if case is not None else None
    due = case.answer_due if case is not None and forwarded_at is not None else None
    return SpikeCase(
        number=complaint.number,
        status=complaint.status,
        filed_at=iso(complaint.filed_at),
        reason=spike_actions.skip_reason(complaint, case, merchant_id),
        forwarded_on=local_date(forwarded_at).isoformat() if forwarded_at else None,
        answer_due=due.isoformat() if due else None,
        answered=bool(case is not None and case.answered_at),
    )


@router.get("/alerts", response_class=HTMLResponse)
async def alerts_page(
    request: Request,
    signed: SupervisorPage,
    services: ServicesDep,
    lang: LangDep,
    merchant: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    forwarded: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    skipped: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    sent: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
    error: Annotated[Line | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    """Spikes with their complaints, and forwarded cases the merchant left unanswered."""
    today = guards.today(services)
    async with services.database.sessions() as session:
        found = await alerts.spikes(
            session=session, now=services.now(), minimum=services.settings.spike_min
        )
        spikes = []
        for spike in found:
            cases = await alerts.spike_cases(session=session, numbers=spike.numbers)
            spikes.append(
                SpikeSection(
                    merchant=merchant_item(spike.merchant),
                    last_week=spike.last_week,
                    average=round(spike.weekly_average, 1),
                    rows=[_row(c, m, spike.merchant.id) for c, m in cases],
                )
            )
        overdue = await merchant_cases.overdue_cases(session=session, today=today)
    # The rows of GET /api/v1/alerts's ``merchant_overdue``.
    late = [overdue_case(c, case, m, today) for c, case, m in overdue]
    return render(
        request, "console/alerts.html", lang, signed, a=texts.translator(lang, "alerts"),
        spikes=spikes,
        late=late, done_merchant=merchant, forwarded=forwarded, skipped=skipped, sent=sent,
        error=error,
    )  # fmt: skip


def _back(**values: object) -> RedirectResponse:
    given = {k: v for k, v in values.items() if v is not None}
    return RedirectResponse(f"/console/alerts?{urlencode(given)}", status_code=303)


@router.post("/alerts/spikes/{merchant_id}/forward")
async def forward_all(
    merchant_id: RowIdPath,
    signed: CheckedSupervisor,
    services: ServicesDep,
    lang: LangDep,
    note: Annotated[FreeText, Form(max_length=2000)] = "",
) -> Response:
    """Forward every complaint of the spike that can go."""
    try:
        outcomes = await spike_actions.forward_spike(services, signed.staff, merchant_id, note)
    except ActionError as error:
        return _back(error=error.text(lang))
    done = sum(o.forwarded for o in outcomes)
    return _back(merchant=merchant_id, forwarded=done, skipped=len(outcomes) - done)


@router.post("/alerts/spikes/{merchant_id}/notice")
async def notify_all(
    merchant_id: RowIdPath,
    signed: CheckedSupervisor,
    services: ServicesDep,
    lang: LangDep,
    text: Annotated[FreeText, Form(max_length=2000)] = "",
    text_en: Annotated[FreeText, Form(max_length=2000)] = "",
) -> Response:
    """One notice to each consumer with a complaint in the spike."""
    try:
        count = await spike_actions.notify_spike(
            services, signed.staff, merchant_id, text, text_en or None
        )
    except ActionError as error:
        return _back(error=error.text(lang))
    return _back(merchant=merchant_id, sent=count)
