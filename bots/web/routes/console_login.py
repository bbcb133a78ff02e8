"""Signing in to the staff console and out again (password, rate limit, login CSRF)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters.fields import Line
from bots.staff.auth import SecurityDep, client_address
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import CheckedDep, LangDep, new_login_csrf, render, safe_next
from bots.web.security import SESSION_COOKIE, session_started
from storage import audit
from storage import staff as staff_store
from storage.merchants import is_merchant_login

router = APIRouter(prefix="/console", include_in_schema=False)
LOGIN_CSRF = "weiquan_login_csrf"


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, lang: LangDep) -> HTMLResponse:
    token = new_login_csrf()
    back = safe_next(request.query_params.get("next"))
    response = render(request, "console/login.html", lang, None, login_csrf=token, next=back)
    response.set_cookie(LOGIN_CSRF, token, path="/console", httponly=True, samesite="strict")
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    services: ServicesDep,
    security: SecurityDep,
    lang: LangDep,
    username: Annotated[Line, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password and start a session (rate-limited like the API)."""
    expected = request.cookies.get(LOGIN_CSRF, "")
    token = new_login_csrf()
    back = safe_next(next)

    def again(key: str, code: int) -> HTMLResponse:
        page = render(request, "console/login.html", lang, None, code, error=key,
                      login_csrf=token, next=back)  # fmt: skip
        page.set_cookie(LOGIN_CSRF, token, path="/console", httponly=True, samesite="strict")
        return page

    if not expected or expected != csrf:
        return again("forbidden", 403)
    address = client_address(request)
    if await security.limiter.blocked(username, address):
        return again("too_many", 429)
    async with services.database.transaction() as session:
        staff = await staff_store.authenticate(
            session=session, username=username, password=password
        )
        if staff is not None and is_merchant_login(staff):
            staff = None  # merchants sign in at /merchant
        if staff is not None:
            audit.record(session, staff=staff, action="auth.console", now=services.now(),
                         detail={"address": address})  # fmt: skip
    if staff is None:
        await security.limiter.failed(username, address)
        return again("bad_login", 401)
    await security.limiter.succeeded(username, address)
    value, _ = security.signer.issue_session(staff.id, staff.session_epoch)
    return session_started(
        request, value, to=back or "/console/complaints", cookie=SESSION_COOKIE,
        path="/console", login_csrf=LOGIN_CSRF,
    )  # fmt: skip


@router.post("/logout")
async def logout(signed: CheckedDep) -> RedirectResponse:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response
