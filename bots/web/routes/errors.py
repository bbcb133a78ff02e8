"""One error shape for every answer that is not a success: ``{"detail": "…"}``.

FastAPI's default 422 handler echoes the input back (passwords, 10,000-character
texts), and fails with a 500 on bytes that are not UTF-8 or on lone surrogates while it
encodes them. Here a validation error names the field and says what is wrong, in one
short line, and never quotes what was sent. HTTP errors keep their status and headers
(the console's 303 to the sign-in page) with a cleaned, capped ``detail``.

Headers: uvicorn's h11 parser refuses large headers itself, httptools does not; request
headers over :data:`MAX_HEADER_BYTES` are answered 431 before any route runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from dialogs import cleaning

MAX_HEADER_BYTES = 64 * 1024
MAX_DETAIL = 300
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form"})


def _where(loc: Sequence[Any]) -> str:
    """The field a validation error is about: ``note``, ``filter.status``, ``body``."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if len(parts) > 1 and parts[0] in _SOURCES:
        parts = parts[1:]
    # A key of a dict the client sent is input too: keep it short and printable.
    return ".".join(cleaning.fit(cleaning.one_line(p), 40) for p in parts) or "request"


def validation_detail(errors: Sequence[Any]) -> str:
    """One line naming the first bad field and why, without the value that was sent."""
    if not errors:
        return "invalid request"
    first = errors[0] if isinstance(errors[0], dict) else {}
    kind = str(first.get("type", ""))
    where = _where(first.get("loc") or ())
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if kind in ("model_attributes_type", "dict_type") and where == "body":
        return "the body must be a JSON object"
    message = cleaning.one_line(str(first.get("msg") or "invalid value"))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return cleaning.fit(f"{where}: {message}{more}", MAX_DETAIL)


async def validation_failed(request: Request, exc: Exception) -> Response:
    """422 naming the field; nothing of the input is echoed (an HTML page on the console)."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    page = _html_page(request)
    if page is not None:
        return page(request, 422, validation_detail(errors))
    return JSONResponse({"detail": validation_detail(errors)}, status_code=422)


def _html_page(request: Request) -> Callable[[Request, int, str], Response] | None:
    """The error page of the console or the merchant desk, for a path under either."""
    # Imported here: the pages' templates need the app's routers, not the reverse.
    from bots.web.routes import console_errors, merchant_errors

    if console_errors.is_console(request):
        return console_errors.page
    if merchant_errors.is_merchant_page(request):
        return merchant_errors.page
    return None


async def http_error(request: Request, exc: Exception) -> Response:
    """An HTTP error as ``{"detail"}``, keeping its status and headers."""
    assert isinstance(exc, HTTPException)
    headers = getattr(exc, "headers", None)
    if not is_body_allowed_for_status_code(exc.status_code):
        return Response(status_code=exc.status_code, headers=headers)
    detail = exc.detail
    if isinstance(detail, str):
        # A detail may quote a path segment: keep it printable and short.
        detail = cleaning.fit(cleaning.one_line(detail), MAX_DETAIL)
    page = _html_page(request) if exc.status_code >= 400 else None
    if page is not None:
        return page(request, exc.status_code, str(detail))
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)


class HeaderLimit:
    """Answer 431 to requests whose headers add up to more than ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = sum(len(k) + len(v) + 4 for k, v in scope.get("headers") or ())
            if size > self.limit:
                response = JSONResponse({"detail": "request headers too large"}, status_code=431)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


#: What :func:`validation_failed` answers, in place of FastAPI's list of errors.
VALIDATION_SCHEMA = {
    "title": "HTTPValidationError",
    "description": "the first bad field and what is wrong with it, in one line",
    "type": "object",
    "properties": {"detail": {"type": "string", "title": "Detail"}},
    "required": ["detail"],
}


def _document_validation(app: FastAPI) -> None:
    """Let the OpenAPI schema say what a 422 here really is (``{"detail": "…"}``)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = build().get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = VALIDATION_SCHEMA
                schemas.pop("ValidationError", None)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Register the handlers and the header limit on ``app``; document the 422."""
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_exception_handler(HTTPException, http_error)
    app.add_middleware(HeaderLimit)
    _document_validation(app)
