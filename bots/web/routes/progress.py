"""``GET /progress/{token}``: a consumer's read-only view of one complaint.

WeChat template messages link here (they show only a few short fields). The token is
signed and expires (:mod:`bots.web.progress_links`); it names the consumer's identity and
the complaint, and the complaint must still belong to that identity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bots.web.deps import ServicesDep
from bots.web.progress_links import LinkRefused, ProgressLinks
from dialogs.texts import (
    category_label,
    format_date,
    reason_label,
    status_label,
    t,
    type_label,
)
from storage import complaints
from storage.models import Complaint, Identity

router = APIRouter(tags=["consumers"])
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
# The page is personal: never cached, never indexed, no referrer to other sites.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
Token = Annotated[str, PathParam(max_length=400)]


@router.get("/progress/{token}", response_class=HTMLResponse)
async def progress(request: Request, token: Token, services: ServicesDep) -> HTMLResponse:
    """The progress of the complaint a signed link names (403 forged, 404 expired)."""
    links = services.progress or ProgressLinks(
        services.settings.resolved_secret_key, services.settings.public_base_url
    )
    try:
        grant = links.read(token)
    except LinkRefused as refused:
        raise HTTPException(refused.status, "this link is not valid") from None
    async with services.database.sessions() as session:
        identity = await session.get(Identity, grant.identity_id)
        found: Complaint | None = None
        if identity is not None:
            found = await complaints.own_complaint(
                session=session, identity=identity, number=grant.number
            )
        if identity is None or found is None:
            raise HTTPException(404, "this link is not valid")
        detail = await complaints.detail_for_consumer(session=session, complaint=found)
    lang = identity.language
    s = detail.summary
    lines = [
        t(lang, "my.detail", number=s.number, type=type_label(s.type, lang),
          category=category_label(s.category, lang), status=status_label(s.status, lang),
          filed=format_date(lang, s.filed_at)),
    ]
    if s.accept_due or s.resolve_due:
        lines.append(t(lang, "my.deadlines", accept_due=format_date(lang, s.accept_due),
                       resolve_due=format_date(lang, s.resolve_due)))
    timeline = []
    for entry in detail.timeline:
        values = {"at": format_date(lang, entry.at), "status": status_label(entry.status, lang)}
        reason = reason_label(entry.reason, lang) if entry.reason else None
        note = " ".join(part for part in (reason, entry.note) if part)
        timeline.append(t(lang, "my.entry_note" if note else "my.entry", note=note, **values))
    context = {
        "lang": lang,
        "title": t(lang, "progress.title", number=s.number),
        "lines": [line for text in lines for line in text.splitlines()],
        "timeline_title": t(lang, "my.timeline"),
        "timeline": timeline,
        "footer": t(lang, "progress.footer"),
    }
    response = TEMPLATES.TemplateResponse(request, "progress.html", context, headers=HEADERS)
    return response
