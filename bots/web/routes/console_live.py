"""The console's pulse: a small JSON the page polls every few seconds.

It answers whether anything the page shows has changed (``stamp``), how many cases
wait with unread consumer messages (the navigation's counter) and, on a case page, who
else has the case open — kept in the database so it holds across replicas.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from adapters.fields import Identifier
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import LangDep, SignedDep
from dialogs import texts
from storage import casework, live

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/pulse")
async def pulse(
    signed: SignedDep,
    services: ServicesDep,
    lang: LangDep,
    number: Annotated[Identifier | None, Query(max_length=32)] = None,
) -> JSONResponse:
    """``{"stamp", "unread", "others", "others_text"}``; ``number`` for a case page."""
    others: list[str] = []
    async with services.database.transaction() as session:
        complaint_id = None
        if number:
            complaint = await casework.by_number(session=session, number=number)
            if complaint is not None:
                complaint_id = complaint.id
                others = await live.here(
                    session=session, complaint_id=complaint.id, staff_id=signed.staff.id,
                    now=services.now(),
                )  # fmt: skip
        stamp = await live.stamp(session=session, complaint_id=complaint_id)
        unread = await live.unread_cases(session=session, staff_id=signed.staff.id)
    names = texts.list_separator(lang).join(others)
    text = texts.t(lang, "console.others_here", names=names) if others else ""
    return JSONResponse(
        {"stamp": stamp, "unread": unread, "others": others, "others_text": text},
        headers={"Cache-Control": "no-store"},
    )
