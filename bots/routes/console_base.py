"""The console's plumbing: templates, language, the signed session cookie and CSRF."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bots import console_text
from bots.deps import ServicesDep
from bots.security import SESSION_COOKIE, Session, csrf_ok
from bots.staff_auth import SecurityDep
from dialogs import lifecycle
from dialogs.clock import zone_label
from dialogs.texts import category_label, reason_label, status_label, type_label
from storage import staff as staff_store
from storage.models import Staff

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
LANG_COOKIE = "weiquan_console_lang"


async def language(request: Request, services: ServicesDep) -> str:
    """``?lang=`` first, then the cookie, then the deployment's default."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in console_text.LANGUAGES:
        return str(chosen)
    return services.settings.language


LangDep = Annotated[str, Depends(language)]


@dataclass(frozen=True)
class Signed:
    """A signed-in console user and the session's CSRF token."""

    staff: Staff
    session: Session


async def signed_in(request: Request, services: ServicesDep, security: SecurityDep) -> Signed:
    """The console user, or a redirect to the sign-in page."""
    value = request.cookies.get(SESSION_COOKIE, "")
    session = security.signer.read_session(value)
    staff = None
    if session is not None:
        async with services.database.sessions() as db:
            staff = await staff_store.get_active(session=db, staff_id=session.staff_id)
    if staff is None or session is None:
        raise HTTPException(303, "sign in first", headers={"Location": "/console/login"})
    return Signed(staff, session)


SignedDep = Annotated[Signed, Depends(signed_in)]


async def checked(signed: SignedDep, csrf: Annotated[str, Form(max_length=200)] = "") -> Signed:
    """A signed-in user whose form carried the session's CSRF token (403 otherwise)."""
    if not csrf_ok(signed.session, csrf):
        raise HTTPException(403, "the form expired or came from another site; reload the page")
    return signed


CheckedDep = Annotated[Signed, Depends(checked)]


def render(
    request: Request,
    name: str,
    lang: str,
    signed: Signed | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a console page with the helpers every template uses."""
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "t": console_text.make_t(lang),
            "lang": lang,
            "staff": signed.staff if signed else None,
            "csrf": signed.session.csrf if signed else "",
            "is_supervisor": bool(signed)
            and staff_store.role_at_least(signed.staff.role, "supervisor"),  # type: ignore[union-attr]
            "status_label": lambda s: status_label(s, lang),
            "reason_label": lambda r: reason_label(r, lang),
            "rejection_reasons": lifecycle.REJECTION_REASONS,
            "type_label": lambda s: type_label(s, lang),
            "category_label": lambda s: category_label(s, lang),
            # Times on the console are local; the zone is shown next to them.
            "zone": zone_label(),
            **context,
        },
        status_code=status_code,
    )
    if request.query_params.get("lang") in console_text.LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, path="/console", samesite="lax")
    return response


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)
