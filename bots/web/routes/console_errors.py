"""Error pages of the console: HTML in the page's language instead of ``{"detail"}``.

The API keeps its JSON shape (bots/web/routes/errors.py); anything under ``/console``
that fails with 403, 404, 422 (or any other 4xx/5xx the handlers see) gets a page a
staff member can read, with the same status code.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from bots.web.page_language import deployment_language, page_language
from bots.web.routes.console_base import LANG_COOKIE, TEMPLATES
from dialogs import texts
from dialogs.clock import zone_label
from dialogs.vocabulary import Language

CSRF_DETAIL = "csrf"


def is_console(request: Request) -> bool:
    return request.url.path == "/console" or request.url.path.startswith("/console/")


def _language(request: Request) -> Language:
    return page_language(request, LANG_COOKIE, deployment_language(request))


def message(status: int, detail: str, language: str) -> str:
    """The sentence shown for ``status``; ``detail`` names the field of a 422."""
    t = texts.translator(language, "console")
    if status == 403:
        return t("error_csrf") if detail == CSRF_DETAIL else t("error_403")
    if status == 404:
        return t("error_404")
    if status == 422:
        return t("error_422", field=detail.split(":", 1)[0] or "?")
    return t("error_other", code=status)


def page(request: Request, status: int, detail: str) -> HTMLResponse:
    """An HTML error page with ``status``."""
    language = _language(request)
    return TEMPLATES.TemplateResponse(
        request,
        "console/error.html",
        {
            "t": texts.translator(language, "console"),
            "lang": language,
            "staff": None,
            "csrf": "",
            "is_supervisor": False,
            "zone": zone_label(),
            "code": status,
            "message": message(status, detail, language),
        },
        status_code=status,
    )
