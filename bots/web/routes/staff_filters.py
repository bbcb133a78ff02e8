"""Path and query parameters shared by the staff API and the console: the complaint
number, row ids and the list filters.

Every text is cleaned of control characters (PostgreSQL refuses NUL with 22021 and the
request would answer 503); row ids are bounded to the 32-bit integer columns, so a
larger number is a 422, not a driver overflow.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Path, Query

from adapters.fields import Identifier, Line
from dialogs.vocabulary import ComplaintStatus, Platform
from storage import casework

StatusQ = ComplaintStatus
TypeQ = Literal["complaint", "report", "consultation", "suggestion"]
PlatformQ = Platform
SortQ = Literal[
    "filed_at", "-filed_at", "updated_at", "-updated_at", "accept_due", "-accept_due",
    "resolve_due", "-resolve_due", "mediation_due", "-mediation_due", "decision_due",
    "-decision_due", "answer_due", "-answer_due", "status", "-status", "number", "-number",
]  # fmt: skip

NumberPath = Annotated[
    Identifier, Path(min_length=1, max_length=32, description="complaint number")
]
RowIdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _blank(value: str | None) -> str | None:
    return value if value not in (None, "") else None


async def list_filters(
    status: Annotated[StatusQ | None, Query(description="complaint status")] = None,
    type: Annotated[TypeQ | None, Query(description="complaint type")] = None,
    category: Annotated[Line | None, Query(max_length=64)] = None,
    platform: Annotated[PlatformQ | None, Query()] = None,
    assignee: Annotated[
        Line | None, Query(max_length=64, description='a username, or "none" for unassigned')
    ] = None,
    overdue: Annotated[
        casework.Overdue | None,
        Query(
            description="past the due date of that clock (or of any) while it runs; "
            "merchant: forwarded and not answered by the merchant's answer_due"
        ),
    ] = None,
    due_within_days: Annotated[
        int | None, Query(ge=0, le=60, description="near or past any running clock")
    ] = None,
    filed_from: Annotated[date | None, Query()] = None,
    filed_to: Annotated[date | None, Query()] = None,
    q: Annotated[
        Line | None, Query(max_length=200, description="text in number, merchant or description")
    ] = None,
    unread: Annotated[
        bool | None, Query(description="true: cases with consumer messages not yet read")
    ] = None,
) -> casework.Filters:
    """Filters from the query string; every one optional."""
    return casework.Filters(
        status=status,
        type=type,
        category=_blank(category),
        platform=platform,
        assignee=_blank(assignee),
        overdue=overdue,
        due_within_days=due_within_days,
        filed_from=filed_from,
        filed_to=filed_to,
        q=_blank(q),
        unread=unread,
    )


FiltersDep = Annotated[casework.Filters, Depends(list_filters)]
