"""``/docs`` that works on a closed network: Swagger UI's assets served by the app.

FastAPI's default page loads Swagger UI from a public CDN, which a complaint desk on an
internal network cannot reach. The ``fastapi-offline`` package ships the same files
(Swagger UI 5, which reads OpenAPI 3.1); they are served from ``/docs/assets``. ReDoc is
off: even its packaged copy loads its logo from the vendor's CDN.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
REDIRECT = "/docs/oauth2-redirect"


def install(app: FastAPI) -> None:
    """Serve the API docs and their assets (the app is built without FastAPI's own pages)."""
    folder = files("fastapi_offline") / "static"
    app.mount(ASSETS, StaticFiles(directory=str(folder)), name="docs-assets")
    spec = app.openapi_url or "/openapi.json"
    title = f"{app.title} · API"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=spec,
            title=title,
            oauth2_redirect_url=REDIRECT,
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
            # Swagger UI would otherwise send the spec to its public validator.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(REDIRECT, include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
