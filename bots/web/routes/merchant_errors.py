"""Error pages of the merchant desk: HTML in the desk's language instead of ``{"detail"}``.

The merchant API (``/api/v1/merchant/…``) keeps its JSON; anything under ``/merchant``
that fails with a 4xx or 5xx (another merchant's case, a page that does not exist, an
expired form, a field that is too long) gets a page with the same status code.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from bots.web.page_language import deployment_language, page_language
from bots.web.routes.merchant_page import LANG_COOKIE, TEMPLATES
from dialogs import texts
from dialogs.vocabulary import Language


def is_merchant_page(request: Request) -> bool:
    return request.url.path == "/merchant" or request.url.path.startswith("/merchant/")


def _language(request: Request) -> Language:
    return page_language(request, LANG_COOKIE, deployment_language(request))


def error_message(status: int, detail: str, language: str) -> str:
    """The sentence of an error page: ``detail`` names the field of a 422."""
    t = texts.translator(language, "merchant_desk")
    if status == 403:
        return t("forbidden")
    if status == 404:
        return t("error_404")
    if status == 422:
        return t("error_422", field=detail.split(":", 1)[0] or "?")
    return t("error_other", code=status)


def page(request: Request, status: int, detail: str) -> HTMLResponse:
    """An HTML error page with ``status`` (no signed-in header: nothing is looked up)."""
    language = _language(request)
    return TEMPLATES.TemplateResponse(
        request,
        "merchant/error.html",
        {
            "t": texts.translator(language, "merchant_desk"),
            "lang": language,
            "login": None,
            "csrf": "",
            "code": status,
            "message": error_message(status, detail, language),
        },
        status_code=status,
    )
