"""A fake WeChat API (the parts Weiquan uses), served over real HTTP on 127.0.0.1.

Implements ``/cgi-bin/token``, ``message/custom/send``, ``message/template/send``,
``media/get`` and ``menu/create`` like WeChat does: JSON answers with ``errcode``,
tokens that expire when a new one is issued, temporary media as raw bytes (video as a
JSON ``video_url``). Tests script error codes per endpoint and read the request log.
"""

from __future__ import annotations

import asyncio
import json
import threading
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


@dataclass
class Call:
    """One request the fake received."""

    path: str
    params: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeWeChat:
    """State of the fake: issued tokens, scripted errors, media, and the request log."""

    app_id: str = "wx_test_app"
    secret: str = "test-secret"
    token_delay: float = 0.0
    calls: list[Call] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    errors: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    video_urls: dict[str, str] = field(default_factory=dict)
    base_url: str = ""
    _issued: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, endpoint: str, *codes: int) -> None:
        """Answer the next calls of ``endpoint`` (e.g. ``message/custom/send``) with ``codes``."""
        self.errors[endpoint].extend(codes)

    def calls_to(self, endpoint: str) -> list[Call]:
        return [c for c in self.calls if c.path == endpoint]

    def _next_error(self, endpoint: str) -> int | None:
        with self._lock:
            queue = self.errors.get(endpoint)
            return queue.popleft() if queue else None

    # ------------------------------------------------------------------ handlers

    async def token(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.calls.append(Call("token", params, None))
        if self.token_delay:
            await asyncio.sleep(self.token_delay)  # widen the race window
        code = self._next_error("token")
        if code is not None:
            return JSONResponse({"errcode": code, "errmsg": "scripted"})
        if params.get("appid") != self.app_id or params.get("secret") != self.secret:
            return JSONResponse({"errcode": 40125, "errmsg": "invalid appsecret"})
        with self._lock:
            self._issued += 1
            value = f"TOKEN-{self._issued}"
            # A new token replaces the old ones (WeChat keeps the old for ~5 minutes; the
            # fake is stricter so a test notices a process using a stale token).
            self.valid_tokens = {value}
        return JSONResponse({"access_token": value, "expires_in": 7200})

    def _auth(self, params: dict[str, str]) -> JSONResponse | None:
        if params.get("access_token") not in self.valid_tokens:
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
        return None

    async def _api(self, request: Request, endpoint: str) -> Response:
        params = dict(request.query_params)
        raw = await request.body()
        body = json.loads(raw) if raw else None
        self.calls.append(Call(endpoint, params, body))
        refused = self._auth(params)
        if refused is not None:
            return refused
        code = self._next_error(endpoint)
        if code is not None:
            return JSONResponse({"errcode": code, "errmsg": "scripted"})
        if endpoint == "message/template/send":
            return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": 200228332})
        return JSONResponse({"errcode": 0, "errmsg": "ok"})

    async def custom_send(self, request: Request) -> Response:
        return await self._api(request, "message/custom/send")

    async def template_send(self, request: Request) -> Response:
        return await self._api(request, "message/template/send")

    async def menu_create(self, request: Request) -> Response:
        return await self._api(request, "menu/create")

    async def media_get(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.calls.append(Call("media/get", params, None))
        refused = self._auth(params)
        if refused is not None:
            return refused
        code = self._next_error("media/get")
        media_id = params.get("media_id", "")
        if code is not None:
            return JSONResponse({"errcode": code, "errmsg": "scripted"})
        if media_id in self.video_urls:
            return JSONResponse({"video_url": self.video_urls[media_id]})
        if media_id not in self.media:
            return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
        data, mime = self.media[media_id]
        return Response(data, media_type=mime,
                        headers={"Content-disposition": f'attachment; filename="{media_id}"'})

    async def download(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.calls.append(Call("download", {"name": name}, None))
        data, mime = self.media[name]
        return Response(data, media_type=mime)

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/cgi-bin/token", self.token),
            Route("/cgi-bin/message/custom/send", self.custom_send, methods=["POST"]),
            Route("/cgi-bin/message/template/send", self.template_send, methods=["POST"]),
            Route("/cgi-bin/menu/create", self.menu_create, methods=["POST"]),
            Route("/cgi-bin/media/get", self.media_get),
            Route("/files/{name}", self.download),
        ])


@contextmanager
def running_fake() -> Iterator[FakeWeChat]:
    """A fake WeChat API on a free port; ``fake.base_url`` is the ``cgi-bin/`` base."""
    fake = FakeWeChat()
    with serve_in_thread(fake.app(), lifespan="off") as url:
        fake.base_url = f"{url}/cgi-bin/"
        yield fake
