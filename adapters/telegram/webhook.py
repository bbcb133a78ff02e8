"""``POST /webhooks/telegram``: Telegram's webhook (when ``WEIQUAN_TELEGRAM_WEBHOOK_URL`` is set).

Telegram redelivers an update until it gets a 2xx; the engine's dedupe on
``update_id`` makes a redelivery change nothing, and the replies are sent once: a
redelivery of an answered update sends nothing, one of an unanswered update sends the
stored replies. A permanent refusal (blocked, chat not found, no rights) is answered
200 — redelivering cannot help — and only passing failures 502.
"""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from adapters.body import BodyTooLarge, read_capped
from adapters.telegram.updates import BadUpdate, UpdateFailed, UpdateHandler

log = logging.getLogger("weiquan.telegram")

MAX_BODY = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _answer(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def build_router(updates: UpdateHandler, secret: str | None) -> APIRouter:
    """The webhook's route: updates are checked against ``secret`` and applied once."""
    router = APIRouter(tags=["webhooks"])

    @router.post("/webhooks/telegram")
    async def receive(request: Request) -> JSONResponse:
        """One update from Telegram, applied once; the replies go out through the Bot API."""
        if secret:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                return _answer(403, "wrong or missing secret token")
        try:
            body = await read_capped(request, MAX_BODY)
        except BodyTooLarge:
            return _answer(413, "body too large")
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            # ValueError covers bad JSON, bytes that are not UTF-8 and integers past
            # Python's 4,300-digit conversion limit; RecursionError deep nesting.
            return _answer(400, "malformed JSON")
        try:
            await updates.apply(data)
        except BadUpdate:
            return _answer(400, "not a Telegram update")
        except UpdateFailed as failed:
            # Applied and stored, but not answered yet (a passing failure, or an earlier
            # copy still sending): 502 makes Telegram redeliver, and the redelivery sends
            # the stored replies unless they went out meanwhile.
            log.warning("telegram replies not sent", extra={"reason": str(failed)})
            return _answer(502, "replies could not be sent; redeliver")
        return JSONResponse({"ok": True})

    return router
