"""The staff web console (``/console``): its home and its stylesheet and script.

Server-rendered Jinja2 with plain forms: every change is a POST carrying the session's
CSRF token, answered with a redirect (so a reload never repeats it). The pages are in
the ``console_*`` modules: sign-in (``console_login``), the list (``console_list``), one
complaint and its casework (``console_case``), supervisor pages (``console_ops``), ….
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

router = APIRouter(prefix="/console", include_in_schema=False)
CSS = Path(__file__).parent.parent / "static" / "console.css"
JS = Path(__file__).parent.parent / "static" / "console.js"


@router.get("/static/console.css")
async def stylesheet() -> Response:
    return Response(CSS.read_text(encoding="utf-8"), media_type="text/css")


@router.get("/static/console.js")
async def script() -> Response:
    return Response(JS.read_text(encoding="utf-8"), media_type="text/javascript")


@router.get("")
async def home() -> RedirectResponse:
    return RedirectResponse("/console/complaints", status_code=303)
