"""Failing background steps: back off, and log an outage once a minute, not every try."""

from __future__ import annotations

import logging
import sqlite3
import time

import asyncpg
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("weiquan.background")

# Errors of an unreachable or restarting database: reported by class (a driver's message
# can quote the consumer's data), never as a traceback.
DATABASE_ERRORS = (
    SQLAlchemyError,
    OSError,
    asyncpg.exceptions.PostgresError,
    asyncpg.exceptions.InterfaceError,
    sqlite3.Error,
)
REPORT_EVERY_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 30.0


def backoff(base: float, failures: int) -> float:
    """Seconds to wait after ``failures`` failed steps in a row: doubling, capped."""
    if failures <= 0:
        return base
    return min(MAX_BACKOFF_SECONDS, max(base, 0.01) * 2 ** (failures - 1))


class Outage:
    """Failures of a background loop, logged once a minute while they go on.

    A database that is down fails every step of every loop: logging each one would
    write a traceback several times a second. The first failure is logged at once, then
    one line a minute with the count, and one line when a step works again. Each loop
    has its own (steps that work while others fail would end an outage they share).
    """

    def __init__(self, what: str, every: float = REPORT_EVERY_SECONDS) -> None:
        self.what = what
        self.every = every
        self.failures = 0
        self._since: float | None = None
        self._reported = 0.0

    def failed(self, exc: BaseException) -> None:
        """Count a failed step; log it when a minute has passed since the last line."""
        now = time.monotonic()
        self.failures += 1
        first = self._since is None
        if not first and now - self._reported < self.every:
            return
        if self._since is None:
            self._since = now
        self._reported = now
        orig = getattr(exc, "orig", None) or exc
        extra = {
            "error": type(orig).__name__,
            "sqlstate": getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None),
            "failures": self.failures,
            "seconds": round(now - self._since),
        }
        database = isinstance(exc, DATABASE_ERRORS)
        message = f"{self.what} failing" if first else f"{self.what} still failing"
        # A bug's traceback once, at the start; database errors by class only.
        log.error(message, extra=extra, exc_info=None if database or not first else exc)

    def recovered(self) -> None:
        """A step worked: log the end of an outage, if there was one."""
        if self._since is None:
            return
        log.warning(
            f"{self.what} working again",
            extra={"failures": self.failures, "seconds": round(time.monotonic() - self._since)},
        )
        self._since = None
        self.failures = 0
