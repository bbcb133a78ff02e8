"""Staff accounts for admins in the console: list, create, change the role, deactivate,
reactivate, reset a password (:mod:`bots.staff.accounts` makes and audits the changes).

Every change is audited (``staff.create``, ``staff.role``, ``staff.deactivate``, …)
with the admin as actor. An admin cannot deactivate, demote or reset their own account
(the desk would be locked out by a slip of the mouse); their own password is changed
on their account page (:mod:`bots.web.routes.console_account`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters.fields import Line
from bots.staff import accounts
from bots.web.deps import ServicesDep
from bots.web.routes.console_base import CheckedDep, LangDep, Signed, SignedDep, render
from bots.web.routes.staff_filters import RowIdPath
from dialogs import texts
from storage import audit
from storage import staff as staff_store

router = APIRouter(prefix="/console", include_in_schema=False)


async def admin_page(signed: SignedDep) -> Signed:
    if signed.staff.role != "admin":
        raise HTTPException(403, "this page needs the admin role")
    return signed


async def admin_form(signed: CheckedDep) -> Signed:
    if signed.staff.role != "admin":
        raise HTTPException(403, "this page needs the admin role")
    return signed


AdminPage = Annotated[Signed, Depends(admin_page)]
AdminForm = Annotated[Signed, Depends(admin_form)]


def staff_error(error: staff_store.StaffError, language: str) -> str:
    """A refused account change in the page's language."""
    t = texts.translator(language, "console")
    return t(f"err_{error.key}", min=staff_store.MIN_PASSWORD, max=staff_store.MAX_PASSWORD)


async def _page(
    request: Request, signed: Signed, services: ServicesDep, lang: str,
    *, error: str | None = None, status_code: int = 200, done: bool = False,
) -> HTMLResponse:  # fmt: skip
    async with services.database.sessions() as session:
        # Merchant logins are managed on the command line, not as staff.
        people = [
            p for p in await staff_store.list_staff(session=session) if p.role in staff_store.ROLES
        ]
    return render(request, "console/staff.html", lang, signed, status_code, people=people,
                  roles=staff_store.ROLES, error=error, done=done)  # fmt: skip


@router.get("/staff", response_class=HTMLResponse)
async def staff_list(
    request: Request, signed: AdminPage, services: ServicesDep, lang: LangDep
) -> HTMLResponse:
    """Every account with its role and state, and the forms to manage them."""
    return await _page(request, signed, services, lang, done="done" in request.query_params)


@router.post("/staff", response_class=HTMLResponse)
async def staff_create(
    request: Request,
    signed: AdminForm,
    services: ServicesDep,
    lang: LangDep,
    username: Annotated[Line, Form(max_length=64)] = "",
    role: Annotated[Line, Form(max_length=16)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Create an account (role and first password chosen by the admin)."""
    try:
        async with services.database.transaction() as session:
            made = await staff_store.create_staff(
                session=session, username=username, role=role, password=password,
                now=services.now(),
            )  # fmt: skip
            audit.record(session, staff=signed.staff, action="staff.create",
                         target=made.username, now=services.now(),
                         detail={"role": role})  # fmt: skip
    except staff_store.StaffError as error:
        return await _page(request, signed, services, lang,
                           error=staff_error(error, lang), status_code=422)  # fmt: skip
    return RedirectResponse("/console/staff?done=1", status_code=303)


@router.post("/staff/{staff_id}/{action}", response_class=HTMLResponse)
async def staff_change(
    request: Request,
    staff_id: RowIdPath,
    action: str,
    signed: AdminForm,
    services: ServicesDep,
    lang: LangDep,
    password: Annotated[str, Form(max_length=256)] = "",
    role: Annotated[Line, Form(max_length=16)] = "",
) -> Response:
    """Reset a ``password``, change the ``role``, ``deactivate`` or ``reactivate``.

    A reset, a role change and a deactivation end that person's open sessions.
    """
    try:
        await accounts.change_account(
            services, signed.staff, staff_id, action, password=password, role=role
        )
    except accounts.AccountRefused as refused:
        if refused.status == 404:
            raise HTTPException(404, "no such account or action") from None
        # Rendered after the transaction: SQLite allows one writer at a time.
        message = texts.t(lang, f"console.{refused.key}", min=staff_store.MIN_PASSWORD,
                          max=staff_store.MAX_PASSWORD)  # fmt: skip
        return await _page(request, signed, services, lang, error=message,
                           status_code=refused.status)  # fmt: skip
    return RedirectResponse("/console/staff?done=1", status_code=303)
