"""The console's plumbing: templates, language, the signed session cookie and CSRF."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bots.staff import labels as console_labels
from bots.staff.auth import SecurityDep
from bots.web.deps import ServicesDep
from bots.web.page_language import page_language, remembers
from bots.web.security import SESSION_COOKIE, Session, csrf_ok
from dialogs import lifecycle, texts
from dialogs.clock import zone_label
from dialogs.texts import category_label, demand_label, reason_label, status_label, type_label
from dialogs.vocabulary import Language
from storage import staff as staff_store
from storage.merchants import is_merchant_login
from storage.models import Staff

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
LANG_COOKIE = "weiquan_console_lang"


async def language(request: Request, services: ServicesDep) -> Language:
    """``?lang=`` first, then the cookie, then the deployment's default."""
    return page_language(request, LANG_COOKIE, services.settings.language)


LangDep = Annotated[Language, Depends(language)]


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
            staff = await staff_store.get_active(
                session=db, staff_id=session.staff_id, epoch=session.epoch
            )
    if staff is None or session is None or is_merchant_login(staff):
        # A merchant's login never holds a console session (it signs in at /merchant).
        target = "/console/login"
        back = come_back_to(request)
        if back:
            target += "?" + urlencode({"next": back})
        raise HTTPException(303, "sign in first", headers={"Location": target})
    return Signed(staff, session)


def safe_next(value: str | None) -> str | None:
    """A console path to return to after signing in (nothing else: no open redirect)."""
    if not value or not value.startswith("/console/") or "//" in value or "\\" in value:
        return None
    if value.startswith("/console/login") or any(ord(ch) < 0x21 for ch in value):
        return None
    return value[:500]


def come_back_to(request: Request) -> str | None:
    """Where a signed-out request should land after signing in again.

    A page asks for itself; a form post (its session ran out while the text was typed)
    comes back to the page it was posted from, where console.js puts the text back.
    """
    if request.method == "GET":
        query = f"?{request.url.query}" if request.url.query else ""
        return safe_next(request.url.path + query)
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return None
    return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))


SignedDep = Annotated[Signed, Depends(signed_in)]


async def checked(signed: SignedDep, csrf: Annotated[str, Form(max_length=200)] = "") -> Signed:
    """A signed-in user whose form carried the session's CSRF token (403 otherwise)."""
    if not csrf_ok(signed.session, csrf):
        raise HTTPException(403, "csrf")
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
            "t": texts.translator(lang, "console"),
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
            "sub_label": lambda c, s: console_labels.subcategory_label(c, s, lang),
            "demand_label": lambda d: demand_label(d, lang),
            "demands_label": lambda d: console_labels.demands_label(d, lang),
            "platform_label": lambda p: console_labels.platform_label(p, lang),
            "actor_label": lambda a: console_labels.actor_label(a, lang),
            "kind_label": lambda k: console_labels.kind_label(k, lang),
            "offer_kind_label": lambda k: texts.offer_kind_label(k, lang),
            "notice_state": lambda s: console_labels.notice_state_label(s, lang),
            "role_label": lambda r: texts.label(lang, f"console.role_{r}", r),
            "money": lambda a: console_labels.money(a, lang),
            "when": console_labels.local_time,
            "is_admin": bool(signed) and signed.staff.role == "admin",  # type: ignore[union-attr]
            # Times on the console are local; the zone is shown next to them.
            "zone": zone_label(),
            **context,
        },
        status_code=status_code,
    )
    if remembers(request):
        response.set_cookie(LANG_COOKIE, lang, path="/console", samesite="lax")
    return response


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)
