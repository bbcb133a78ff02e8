"""The merchant's browser page (``/merchant``): sign in, the list, a case, reply and offer.

Server-rendered like the staff console: a signed session cookie of its own (path
``/merchant``), every change a POST carrying the session's CSRF token and answered with
a redirect. Only merchant logins may sign in here; staff use ``/console``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bots.merchants import work as merchant_work
from bots.merchants.auth import merchant_login
from bots.merchants.views import case_detail, case_summary
from bots.merchants.work import MerchantLogin
from bots.services import Services
from bots.staff import guards, labels
from bots.staff.auth import SecurityDep, client_address
from bots.staff.errors import ActionError
from bots.web.deps import ServicesDep
from bots.web.page_language import page_language, remembers
from bots.web.routes.staff_api import evidence_file
from bots.web.security import Session, csrf_ok, session_started
from dialogs import texts
from dialogs.texts import status_label
from dialogs.vocabulary import Language
from storage import audit, casework, merchant_cases, offers
from storage import staff as staff_store
from storage.merchants import is_merchant_login
from storage.merchants import names_of_actors as merchant_names_of

router = APIRouter(prefix="/merchant", include_in_schema=False)
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
COOKIE = "weiquan_merchant"
LOGIN_CSRF = "weiquan_merchant_login_csrf"
LANG_COOKIE = "weiquan_merchant_lang"


def _lang(request: Request, services: ServicesDep) -> Language:
    return page_language(request, LANG_COOKIE, services.settings.language)


LangDep = Annotated[Language, Depends(_lang)]


class Signed:
    """A signed-in merchant login and its session."""

    def __init__(self, login: MerchantLogin, session: Session) -> None:
        self.login = login
        self.session = session


async def signed_in(request: Request, services: ServicesDep, security: SecurityDep) -> Signed:
    """The merchant behind the session cookie, or a redirect to the sign-in page."""
    session = security.signer.read_session(request.cookies.get(COOKIE, ""))
    if session is not None:
        try:
            login = await merchant_login(services, session.staff_id, session.epoch)
            return Signed(login, session)
        except HTTPException:
            pass
    raise HTTPException(303, "sign in first", headers={"Location": "/merchant/login"})


SignedDep = Annotated[Signed, Depends(signed_in)]


async def checked(signed: SignedDep, csrf: Annotated[str, Form(max_length=200)] = "") -> Signed:
    if not csrf_ok(signed.session, csrf):
        raise HTTPException(403, "the form expired or came from another site; reload the page")
    return signed


CheckedDep = Annotated[Signed, Depends(checked)]


def render(
    request: Request, name: str, lang: str, signed: Signed | None, status_code: int = 200,
    **context: Any,
) -> HTMLResponse:  # fmt: skip
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "t": texts.translator(lang, "merchant_desk"),
            "lang": lang,
            "login": signed.login if signed else None,
            "csrf": signed.session.csrf if signed else "",
            "status_label": lambda s: status_label(s, lang),
            **context,
        },
        status_code=status_code,
    )
    if remembers(request):
        response.set_cookie(LANG_COOKIE, lang, path="/merchant", samesite="lax")
    return response


def _login_page(
    request: Request, lang: str, code: int = 200, error: str | None = None
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    page = render(request, "merchant/login.html", lang, None, code, error=error, login_csrf=token)
    page.set_cookie(LOGIN_CSRF, token, path="/merchant", httponly=True, samesite="strict")
    return page


@router.get("")
async def home() -> RedirectResponse:
    return RedirectResponse("/merchant/complaints", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, lang: LangDep) -> HTMLResponse:
    return _login_page(request, lang)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    services: ServicesDep,
    security: SecurityDep,
    lang: LangDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the password of a merchant login and start a session (rate-limited)."""
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not secrets.compare_digest(expected, csrf):
        return _login_page(request, lang, 403, "forbidden")
    address = client_address(request)
    if await security.limiter.blocked(username, address):
        return _login_page(request, lang, 429, "too_many")
    async with services.database.transaction() as session:
        account = await staff_store.authenticate(
            session=session, username=username, password=password
        )
        if account is not None and not is_merchant_login(account):
            account = None  # staff sign in at /console
        if account is not None:
            entry = audit.record(session, staff=account, action="auth.merchant",
                                 now=services.now(), detail={"address": address})  # fmt: skip
            entry.actor = f"merchant:{account.username}"
    if account is None:
        await security.limiter.failed(username, address)
        return _login_page(request, lang, 401, "bad_login")
    await security.limiter.succeeded(username, address)
    value, _ = security.signer.issue_session(account.id, account.session_epoch)
    return session_started(
        request, value, to="/merchant/complaints", cookie=COOKIE, path="/merchant",
        login_csrf=LOGIN_CSRF,
    )  # fmt: skip


@router.post("/logout")
async def logout(signed: CheckedDep) -> RedirectResponse:
    response = RedirectResponse("/merchant/login", status_code=303)
    response.delete_cookie(COOKIE, path="/merchant")
    return response


@router.get("/complaints", response_class=HTMLResponse)
async def complaints(
    request: Request, signed: SignedDep, services: ServicesDep, lang: LangDep
) -> HTMLResponse:
    """The complaints forwarded to this merchant."""
    today = guards.today(services)
    async with services.database.sessions() as session:
        cases = await merchant_cases.forwarded_to(
            session=session, merchant_id=signed.login.merchant.id
        )
    rows = [case_summary(c, m, today) for c, m in cases]
    return render(request, "merchant/list.html", lang, signed, rows=rows)


async def _case_page(
    request: Request, signed: Signed, services: Services, lang: str, number: str,
    *, error: str | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    today = guards.today(services)
    async with services.database.transaction() as session:
        found = await merchant_cases.forwarded_case(
            session=session, merchant_id=signed.login.merchant.id, number=number
        )
        if found is None:
            raise HTTPException(404, f"no complaint {number} forwarded to you")
        view = await merchant_cases.merchant_view(
            session=session, complaint=found[0], case=found[1]
        )
        entry = audit.record(session, staff=signed.login.account, action="merchant.view",
                             target=number, now=services.now())  # fmt: skip
        entry.actor = signed.login.actor
        body = case_detail(view, cipher=services.cipher, today=today)
        names = await merchant_names_of(session=session, actors=(e.actor for e in body.timeline))
    return render(
        request, "merchant/detail.html", lang, signed, status_code, c=body, error=error,
        kinds=offers.KINDS, open=view.complaint.status in casework.AWAITING_RESOLUTION,
        kind_label=lambda k: labels.kind_label(k, lang),
        actor_label=lambda a: labels.actor_label(a, lang, names),
    )  # fmt: skip


@router.get("/complaints/{number}", response_class=HTMLResponse)
async def case(
    request: Request, number: str, signed: SignedDep, services: ServicesDep, lang: LangDep
) -> HTMLResponse:
    """One forwarded complaint with the reply and offer forms."""
    return await _case_page(request, signed, services, lang, number)


@router.get("/complaints/{number}/evidence/{evidence_id}")
async def evidence(number: str, evidence_id: int, signed: SignedDep, services: ServicesDep) -> Any:
    async with services.database.sessions() as session:
        found = await merchant_cases.forwarded_case(
            session=session, merchant_id=signed.login.merchant.id, number=number
        )
    if found is None:
        raise HTTPException(404, f"no complaint {number} forwarded to you")
    return await evidence_file(services, signed.login.account, number, evidence_id)


@router.post("/complaints/{number}/{action}", response_class=HTMLResponse)
async def act(
    request: Request,
    number: str,
    action: Literal["messages", "offers"],
    signed: CheckedDep,
    services: ServicesDep,
    lang: LangDep,
    text: Annotated[str, Form(max_length=2000)] = "",
    kind: Annotated[str, Form(max_length=16)] = "",
    amount: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """The reply and offer forms post here; success redirects back to the case."""
    try:
        if action == "messages":
            await merchant_work.send_message(services, signed.login, number, text)
        else:
            await merchant_work.make_offer(
                services, signed.login, number, kind, amount or None, text
            )
    except ActionError as error:
        return await _case_page(
            request, signed, services, lang, number,
            error=error.text(lang), status_code=error.status,
        )  # fmt: skip
    return RedirectResponse(f"/merchant/complaints/{number}", status_code=303)
