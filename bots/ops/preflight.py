"""Checks before ``serve`` and ``worker`` start: bad configuration stops them in one line.

A typo in the AES key otherwise shows up as the first consumer's message failing, an
unwritable evidence folder as the first photo failing, an unmigrated PostgreSQL as 503s
on every request. Each is found here instead and reported as one line on stderr (never
a traceback, never a secret's value), with exit code 2.

An unreachable Redis does not stop the start: limits and caches fall back to each
process (the WeChat token and seen nonces to the database), with one warning.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bots.settings import Settings
from storage.db import Database

log = logging.getLogger("weiquan.preflight")
# Alembic logs one INFO line per built-in plugin when it is first imported: noise before
# every start (and around the one line of a refused one). Set before alembic is imported.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

EXIT_CODE = 2


class ConfigError(Exception):
    """A configuration Weiquan cannot run with; the message is the line shown."""


def _refuse(message: str) -> NoReturn:
    print(f"weiquan: {' '.join(message.split())}", file=sys.stderr)
    raise SystemExit(EXIT_CODE)


def load_settings() -> Settings:
    """The settings from the environment, or exit with one line naming what is wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        _refuse("bad configuration: " + "; ".join(_describe(e) for e in exc.errors()))


def _describe(error: ErrorDetails) -> str:
    # Only the variable and the rule: the input may be a secret (the AES key).
    loc = "_".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    return f"WEIQUAN_{loc.upper()} {message}" if loc else message


def ready(settings: Settings) -> None:
    """Run every start-up check (migrating SQLite on the way); exit on the first failure."""
    try:
        _writable(settings.evidence_dir, "WEIQUAN_EVIDENCE_DIR", "evidence folder")
        try:
            settings.resolved_secret_key  # noqa: B018 - generated into var_dir on first run
        except OSError as exc:
            raise ConfigError(f"WEIQUAN_VAR_DIR={settings.var_dir}: cannot keep the secret key "
                              f"there ({_why(exc)})") from None
        _schema(settings)
        _redis(settings)
    except ConfigError as exc:
        _refuse(str(exc))


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _writable(path: Path, variable: str, what: str) -> None:
    # Root passes every permission check: only really creating a file proves it.
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path, prefix=".preflight-"):
            pass
    except OSError as exc:
        raise ConfigError(f"{variable}={path}: the {what} cannot be written ({_why(exc)})"
                          ) from None


def _schema(settings: Settings) -> None:
    from storage.migrate import pending_reason, upgrade

    if settings.is_sqlite:
        # The embedded default migrates by itself; PostgreSQL migrates as its own step.
        try:
            upgrade(settings.database_url)
        except Exception as exc:
            raise ConfigError(f"the SQLite database cannot be migrated ({type(exc).__name__}: "
                              f"{str(exc)[:200]})") from None
        return

    async def check() -> str | None:
        database = Database(settings.database_url, pool_size=1)
        try:
            return await pending_reason(database)
        finally:
            await database.dispose()

    try:
        reason = asyncio.run(check())
    except Exception as exc:
        # Down for now is not misconfigured: start, and /healthz answers 503 until it is back.
        log.warning("database unreachable at start-up; /healthz answers 503 until it answers",
                    extra={"error": type(exc).__name__})
        return
    if reason:
        raise ConfigError(f"the database is not migrated ({reason}): "
                          f"run `weiquan db upgrade` first")


def _redis(settings: Settings) -> None:
    if not settings.redis_url:
        return
    from redis.asyncio import Redis

    try:
        where = urlsplit(settings.redis_url)  # host and port only: the URL may hold a password
        client = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
    except Exception:
        raise ConfigError("WEIQUAN_REDIS_URL is not a Redis URL") from None

    async def ping() -> None:
        try:
            await client.ping()
        finally:
            await client.aclose()

    try:
        asyncio.run(ping())
    except Exception as exc:
        log.warning(
            "Redis unreachable: rate limits and caches are per process until restart",
            extra={"redis": f"{where.hostname}:{where.port or 6379}", "error": type(exc).__name__},
        )
        # uvicorn builds the app (and its workers) from the environment: drop it there too.
        os.environ["WEIQUAN_REDIS_URL"] = ""
        settings.redis_url = None
