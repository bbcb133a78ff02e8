"""Supervisor pages of the console: deadline overview, bulk notice, dead letters,
statistics with server-rendered SVG charts, and the CSV export."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters.fields import FreeText, Line
from bots.staff import charts, guards
from bots.staff import labels as console_labels
from bots.staff import reach as staff_reach
from bots.staff import reports as console_reports
from bots.staff import views as staff_views
from bots.staff.errors import ActionError
from bots.staff.schemas import Statistics
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import CheckedDep, LangDep, Signed, SignedDep, render
from bots.web.routes.console_list import list_query
from bots.web.routes.staff_filters import RowIdPath
from bots.web.routes.staff_ops import export_rows
from dialogs import lifecycle
from storage import casework, outbox, statistics
from storage import staff as staff_store

router = APIRouter(prefix="/console", include_in_schema=False)


async def supervisor(signed: SignedDep) -> Signed:
    if not staff_store.role_at_least(signed.staff.role, "supervisor"):
        raise HTTPException(403, "this page needs the supervisor role")
    return signed


SupervisorPage = Annotated[Signed, Depends(supervisor)]


@router.get("/overview", response_class=HTMLResponse)
async def overview(
    request: Request, signed: SupervisorPage, services: ServicesDep, lang: LangDep
) -> HTMLResponse:
    """Cases near or past any running deadline, the most urgent first."""
    today = guards.today(services)
    filters = casework.Filters(due_within_days=casework.NEAR_DAYS)
    async with services.database.sessions() as session:
        found = await casework.list_complaints(
            session=session, filters=filters, today=today, sort="accept_due", per_page=200
        )
    rows = [
        staff_views.summary(
            c, who, cipher=services.cipher, today=today, deadlines=services.deadlines
        )
        for c, who in found.items
    ]
    # The most urgent first, whichever clock it is (reports have no accept_due).
    rows.sort(key=lambda r: min((k.due for k in r.clocks if k.running), default="~"))
    return render(request, "console/overview.html", lang, signed, rows=rows, total=found.total)


@router.get("/bulk", response_class=HTMLResponse)
async def bulk_page(
    request: Request, signed: SupervisorPage, lang: LangDep, sent: int | None = None
) -> HTMLResponse:
    return render(request, "console/bulk.html", lang, signed, sent=sent, error=None,
                  **_bulk_choices(lang))  # fmt: skip


def _bulk_choices(lang: str) -> dict[str, Any]:
    return {"statuses": lifecycle.STATUSES, "categories": console_labels.categories(lang)}


@router.post("/bulk", response_class=HTMLResponse)
async def bulk_send(
    request: Request,
    signed: CheckedDep,
    services: ServicesDep,
    lang: LangDep,
    text: Annotated[FreeText, Form(max_length=2000)] = "",
    text_en: Annotated[FreeText, Form(max_length=2000)] = "",
    status: Annotated[Line, Form(max_length=16)] = "",
    category: Annotated[Line, Form(max_length=64)] = "",
) -> Response:
    """Send one notice to each consumer with a matching complaint."""
    if status and status not in lifecycle.STATUSES:
        raise HTTPException(422, "status: unknown status")
    filters = casework.Filters(status=status or None, category=category or None)
    try:
        count = await staff_reach.bulk_notice(services, signed.staff, filters, text, text_en)
    except ActionError as error:
        return render(request, "console/bulk.html", lang, signed, error.status, sent=None,
                      error=error.text(lang),
                      **_bulk_choices(lang))  # fmt: skip
    return RedirectResponse(f"/console/bulk?sent={count}", status_code=303)


@router.get("/dead", response_class=HTMLResponse)
async def dead(
    request: Request, signed: SupervisorPage, services: ServicesDep, lang: LangDep
) -> HTMLResponse:
    """Dead and undeliverable notices with their reasons and a retry button."""
    async with services.database.sessions() as session:
        rows = await outbox.dead_notices(session=session, limit=200)
    items = [staff_views.notice_item(n) for n in rows]
    return render(request, "console/dead.html", lang, signed, items=items)


@router.post("/dead/{notice_id}/retry")
async def retry(notice_id: RowIdPath, signed: CheckedDep, services: ServicesDep) -> Response:
    try:
        await staff_reach.retry_dead(services, signed.staff, notice_id)
    except ActionError as error:
        raise HTTPException(error.status, error.message) from None
    return RedirectResponse("/console/dead", status_code=303)


async def _figures(
    request: Request, services: ServicesDep, lang: str
) -> tuple[Statistics, casework.Filters, list[dict[str, Any]]]:
    query = list_query(request)
    if not query.range_ok():
        raise HTTPException(422, "filed_from: after filed_to")
    today = guards.today(services)
    filters = query.filters()
    if filters.filed_from is None:
        filters = casework.Filters(**{**vars(filters), "filed_from": today - timedelta(days=30)})
    async with services.database.sessions() as session:
        computed = await statistics.compute(
            session=session, filters=filters, today=today, deadlines=services.deadlines
        )
    figures = staff_views.statistics(computed, filters.filed_from, filters.filed_to)
    return figures, filters, console_reports.series(figures, filters, today, lang)


@router.get("/statistics", response_class=HTMLResponse)
async def stats(
    request: Request, signed: SupervisorPage, services: ServicesDep, lang: LangDep
) -> HTMLResponse:
    """Figures and SVG charts for a filing date range (default: the last 30 days)."""
    figures, filters, series = await _figures(request, services, lang)
    charts_shown = [
        {"key": c["key"], "svg": charts.bars(c["title"], [(lb, v) for lb, v, _ in c["rows"]],
                                             links=[h for _, _, h in c["rows"]]
                                             if c["key"] != "ratings" else None)}
        for c in series
    ]  # fmt: skip
    chosen = {"filed_from": filters.filed_from, "filed_to": filters.filed_to}
    window = {k: str(v) for k, v in chosen.items() if v}
    return render(request, "console/statistics.html", lang, signed, figures=figures,
                  charts=charts_shown, window=window, filed_from=filters.filed_from,
                  filed_to=filters.filed_to)  # fmt: skip


@router.get("/statistics.csv")
async def stats_csv(
    request: Request, signed: SupervisorPage, services: ServicesDep, lang: LangDep,
    chart: Literal["by_status", "by_category", "by_platform", "by_day", "ratings"] = "by_status",
) -> Response:  # fmt: skip
    """One chart's figures as CSV."""
    _, _, series = await _figures(request, services, lang)
    found = next(c for c in series if c["key"] == chart)
    return Response(
        console_reports.chart_csv(found, lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{chart}.csv"'},
    )


@router.get("/export.csv")
async def export(
    request: Request, signed: SupervisorPage, services: ServicesDep, lang: LangDep
) -> Response:
    """The filtered list as CSV in the console's language, contacts masked."""
    query = list_query(request)
    filters = query.filters(signed.staff.username, services.cipher)
    rows = await export_rows(services, signed.staff, filters, shaped=staff_views.detail_row)
    return Response(
        console_reports.export_csv(rows, lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="complaints.csv"'},
    )
