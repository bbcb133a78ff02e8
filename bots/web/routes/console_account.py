"""Everyone's own account in the console: change one's password.

The change ends the account's other console sessions and API tokens; the session that
made it is issued again under the new epoch (same CSRF token, so the forms open in
other tabs of this browser keep working). Wrong current passwords count against the
sign-in limit of the account, like failed sign-ins.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bots.staff import accounts
from bots.staff.auth import SecurityDep, client_address
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import CheckedDep, LangDep, Signed, SignedDep, render
from bots.web.security import SESSION_COOKIE, SESSION_TTL_SECONDS
from dialogs import texts
from storage import staff as staff_store

router = APIRouter(prefix="/console", include_in_schema=False)


def _page(
    request: Request, signed: Signed, lang: str, *, error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    return render(request, "console/account.html", lang, signed, status_code, error=error,
                  done="done" in request.query_params)  # fmt: skip


@router.get("/account", response_class=HTMLResponse)
async def account(request: Request, signed: SignedDep, lang: LangDep) -> HTMLResponse:
    """The signed-in person's account: name, role and the password form."""
    return _page(request, signed, lang)


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(
    request: Request,
    signed: CheckedDep,
    services: ServicesDep,
    security: SecurityDep,
    lang: LangDep,
    current_password: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Check the current password, set the new one, end the other sessions."""
    username, address = signed.staff.username, client_address(request)
    if await security.limiter.blocked(username, address):
        return _page(request, signed, lang, error=texts.t(lang, "console.too_many"),
                     status_code=429)  # fmt: skip
    try:
        epoch = await accounts.change_own_password(
            services, signed.staff, current_password, password
        )
    except accounts.AccountRefused as refused:
        if refused.key == "err_current_password":
            await security.limiter.failed(username, address)
        message = texts.t(lang, f"console.{refused.key}", min=staff_store.MIN_PASSWORD,
                          max=staff_store.MAX_PASSWORD)  # fmt: skip
        return _page(request, signed, lang, error=message, status_code=refused.status)
    value, _ = security.signer.issue_session(signed.staff.id, epoch, csrf=signed.session.csrf)
    response = RedirectResponse("/console/account?done=1", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, value, max_age=SESSION_TTL_SECONDS, path="/console", httponly=True,
        samesite="lax", secure=request.url.scheme == "https",
    )  # fmt: skip
    return response
