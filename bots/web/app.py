"""The FastAPI application: routers, health, metrics and the background worker."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DBAPIError, OperationalError

from bots.delivery import background
from bots.ops.metrics import registry as metrics_registry
from bots.services import Services
from bots.settings import Settings
from bots.web.routes import (
    case_routes,
    chat,
    console,
    console_account,
    console_alerts,
    console_case,
    console_list,
    console_live,
    console_login,
    console_merchants,
    console_ops,
    console_staff,
    errors,
    merchant_api,
    merchant_page,
    merchants_api,
    offline_docs,
    progress,
    staff_api,
    staff_ops,
)
from bots.web.routes import deadlines as deadline_routes
from bots.web.routes import dossier as dossier_routes
from storage import phone_index
from storage.migrate import pending_reason

log = logging.getLogger("weiquan.app")


async def _index_phones(services: Services) -> None:
    """Index older complaints' phones for search; never stops the app from starting."""
    try:
        await phone_index.fill_missing(services.database, services.cipher)
    except Exception as error:  # not migrated yet, database away: the next start tries again
        log.warning("phone_index.skipped", extra={"error": type(error).__name__})


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app. Pass ``services`` to share them with the caller (tests, CLI).

    The channels the settings turn on are built with the services, here, so that the
    app can mount what they give; services built here are closed when the app stops.
    """
    owned = services is None
    built = services or Services.build(settings or Settings())
    settings = built.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = built
        stop = asyncio.Event()
        tasks = background.start(app.state.services, stop) if settings.run_worker else []
        tasks.append(asyncio.create_task(_index_phones(app.state.services)))
        # Everything built so far lives as long as the process: keep it out of the
        # garbage collector's full passes, which otherwise walk it and stall requests.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if owned:
                await app.state.services.close()

    app = FastAPI(
        title="Weiquan",
        summary="Consumer complaint intake over WeChat, Telegram and web chat, with a staff API",
        version="0.1.0",
        lifespan=lifespan,
        # Served from packaged files by offline_docs, never from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    offline_docs.install(app)

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    # While PostgreSQL restarts, opening a connection fails below SQLAlchemy's wrapping
    # (connection refused from the socket, asyncpg's own connection errors).
    @app.exception_handler(ConnectionError)
    @app.exception_handler(asyncpg.exceptions.PostgresConnectionError)
    @app.exception_handler(asyncpg.exceptions.InterfaceError)
    # The PostgreSQL turn speaks asyncpg directly: its errors arrive unwrapped.
    @app.exception_handler(asyncpg.exceptions.PostgresError)
    @app.exception_handler(sqlite3.Error)
    async def database_down(_request: Request, exc: Exception) -> JSONResponse:
        # 503, not 500 with a stack: platforms retry, and nothing was acknowledged.
        # The class and SQLSTATE only: a driver's message can quote the consumer's data.
        orig = getattr(exc, "orig", None)
        log.error(
            "database error",
            extra={
                "error": type(orig or exc).__name__,
                "sqlstate": getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None),
            },
        )
        return JSONResponse({"detail": "database unavailable, try again"}, status_code=503)

    # Once the schema was found current it stays so for this process's lifetime: later
    # probes only ping, they do not read alembic_version again.
    schema_current = False

    @app.get("/healthz", tags=["operations"])
    async def healthz(request: Request) -> JSONResponse:
        """200 when the service and its migrated database answer, 503 with a reason otherwise."""
        nonlocal schema_current
        services_: Services = request.app.state.services
        if schema_current:
            if await services_.database.ping():
                return JSONResponse({"status": "ok"})
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        try:
            reason = await pending_reason(services_.database)
        except Exception:
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        if reason:
            return JSONResponse({"status": "migrations pending", "reason": reason}, status_code=503)
        schema_current = True
        return JSONResponse({"status": "ok"})

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics."""
        return Response(generate_latest(metrics_registry()), media_type=CONTENT_TYPE_LATEST)

    for channel in built.channels.values():
        if channel.router is not None:
            app.include_router(channel.router)
    app.mount("/chat/static", StaticFiles(directory=str(chat.STATIC)), name="chat-static")
    app.include_router(staff_api.router)
    app.include_router(case_routes.api)
    app.include_router(staff_ops.router)
    app.include_router(merchants_api.router)
    app.include_router(merchant_api.router)
    app.include_router(merchant_page.router)
    app.include_router(console_merchants.router)
    app.include_router(console.router)
    app.include_router(console_login.router)
    app.include_router(console_list.router)
    app.include_router(console_case.router)
    app.include_router(console_ops.router)
    app.include_router(console_live.router)
    app.include_router(console_staff.router)
    app.include_router(console_account.router)
    app.include_router(console_alerts.router)
    app.include_router(deadline_routes.api)
    app.include_router(deadline_routes.console)
    app.include_router(case_routes.console)
    app.include_router(dossier_routes.router)
    app.include_router(progress.router)
    return app
