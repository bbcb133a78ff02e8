"""A fake Telegram Bot API on 127.0.0.1 speaking the real wire format.

python-telegram-bot posts form-encoded or JSON bodies to ``/bot<token>/<method>``; the
fake answers ``{"ok": true, "result": …}`` or Telegram's error shapes (429 with
``parameters.retry_after``, 403 blocked, 400 with ``migrate_to_chat_id``), serves
files under ``/file/bot<token>/<path>``, queues updates for ``getUpdates`` and records
every request.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.server import serve_in_thread

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Weiquan", "username": "weiquan_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float


@dataclass
class FakeTelegram:
    """State of the fake: files, queued updates, scripted errors and the request log."""

    token: str = TOKEN
    base_url: str = ""
    calls: list[Call] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, deque[dict[str, Any]]] = field(default_factory=lambda: defaultdict(deque))
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ scripting

    def fail(self, method: str, error: dict[str, Any]) -> None:
        """Answer the next call of ``method`` with ``error`` (see the helpers below)."""
        self.errors[method].append(error)

    @staticmethod
    def too_many(retry_after: int) -> dict[str, Any]:
        return {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        }

    @staticmethod
    def blocked() -> dict[str, Any]:
        return {
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot was blocked by the user",
        }

    @staticmethod
    def migrated(new_chat_id: int) -> dict[str, Any]:
        return {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: group chat was upgraded to a supergroup chat",
            "parameters": {"migrate_to_chat_id": new_chat_id},
        }

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [
            str(c.params.get("text"))
            for c in self.calls_to("sendMessage")
            if chat_id is None or int(c.params["chat_id"]) == chat_id
        ]

    # ------------------------------------------------------------------ handlers

    async def api(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        method = request.path_params["method"]
        params = await _params(request)
        with self._lock:
            self.calls.append(Call(method, params, time.monotonic()))
            scripted = self.errors[method].popleft() if self.errors[method] else None
        if scripted is not None:
            return JSONResponse(scripted, status_code=scripted["error_code"])
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return JSONResponse({"ok": True, "result": True})
        result = await handler(params)
        return JSONResponse({"ok": True, "result": result})

    async def _getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }

    async def _sendDocument(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        document = params.get("document") or {}
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "caption": params.get("caption", ""),
            "document": {
                "file_id": f"DOC{chat_id}",
                "file_unique_id": f"DOC{chat_id}",
                "file_name": document.get("filename") if isinstance(document, dict) else None,
                "file_size": len(document.get("bytes", b"")) if isinstance(document, dict) else 0,
            },
        }

    def sent_documents(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Documents sent with ``sendDocument``: ``{"filename", "bytes", "caption"}``."""
        return [
            {**c.params["document"], "caption": c.params.get("caption", "")}
            for c in self.calls_to("sendDocument")
            if chat_id is None or int(c.params["chat_id"]) == chat_id
        ]

    async def _getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            return {"file_id": file_id, "file_unique_id": file_id, "file_size": 25_000_000}
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": len(self.files[file_id]),
            "file_path": f"photos/{file_id}.bin",
        }

    async def _getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        with self._lock:
            ready = [u for u in self.updates if u["update_id"] >= offset]
        if not ready:
            await asyncio.sleep(0.05)
        return ready[:100]

    async def download(self, request: Request) -> Response:
        name = request.path_params["path"].rsplit("/", 1)[-1].removesuffix(".bin")
        self.calls.append(Call("download", {"file_id": name}, time.monotonic()))
        if name not in self.files:
            return Response(status_code=404)
        return Response(self.files[name], media_type="application/octet-stream")

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self.api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self.download),
            ]
        )


async def _params(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        body = await request.body()
        return dict(json.loads(body)) if body else {}
    form = await request.form()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if not isinstance(value, str):  # an uploaded file (sendDocument's multipart body)
            params[key] = {"filename": value.filename, "bytes": await value.read()}
            continue
        if isinstance(value, str) and value[:1] in "[{":
            try:
                params[key] = json.loads(value)
                continue
            except json.JSONDecodeError:
                pass
        params[key] = value
    return params


@contextmanager
def running_fake() -> Iterator[FakeTelegram]:
    """A fake Bot API on a free port; ``fake.base_url`` is its root URL."""
    fake = FakeTelegram()
    with serve_in_thread(fake.app(), lifespan="off") as url:
        fake.base_url = url
        yield fake
