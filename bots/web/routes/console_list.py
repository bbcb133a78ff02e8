"""The console's complaint list: filters as controls, saved views, sortable columns."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, ValidationError

from adapters.fields import Line
from bots.staff import guards
from bots.staff import labels as console_labels
from bots.staff import views as staff_views
from bots.staff.schemas import ComplaintSummary
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import LangDep, SignedDep, render
from bots.web.routes.staff_filters import PlatformQ, SortQ, StatusQ, TypeQ
from dialogs import lifecycle
from dialogs.validators import parse_phone
from storage import casework
from storage import live as live_rows
from storage import staff as staff_store


class ListRow(ComplaintSummary):
    """A row of the console's list: the API's summary with what is new since last read."""

    unread_messages: int = 0
    evidence_count: int = 0


router = APIRouter(prefix="/console", include_in_schema=False)


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
