"""The I/O with WeChat's API: clients with the shared token, and evidence downloads.

wechatpy's client is synchronous (requests): every call runs in a worker thread.
Its own token handling (a per-process MemoryStorage and ``auto_retry``) is bypassed:
each call gets the shared token explicitly, and a refused token is refreshed once
through :mod:`adapters.wechat.token` so all processes agree on one token.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import httpx
import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from adapters.wechat.token import TokenStore
from dialogs.delivery import MediaExpired, RetryLater, Undeliverable
from dialogs.vocabulary import Platform

log = logging.getLogger("weiquan.wechat")

DEFAULT_API_BASE = "https://api.weixin.qq.com/cgi-bin/"
# 40001 invalid credential, 40014 invalid access_token, 42001 access_token expired.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# 40007: invalid media_id — what WeChat answers once temporary media (3 days) is gone.
MEDIA_GONE = 40007
CHUNK = 64 * 1024
T = TypeVar("T")


class _Client(WeChatClient):
    """wechatpy's client with a configurable API base, also for the token call.

    ``fetch_access_token`` hard-codes api.weixin.qq.com in wechatpy 1.8; tests and
    proxies need it to follow ``API_BASE_URL`` like every other call.
    """

    def __init__(
        self, appid: str, secret: str, base_url: str, token: str | None, timeout: float
    ) -> None:
        super().__init__(appid, secret, access_token=token, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = base_url

    def fetch_access_token(self) -> dict[str, Any]:
        result: dict[str, Any] = self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )
        return result


def errcode(exc: WeChatClientException) -> int | None:
    """The WeChat error code of a failed call (None for HTTP or network errors)."""
    try:
        return None if exc.errcode is None else int(exc.errcode)
    except (TypeError, ValueError):
        return None


class WeChatApi:
    """One Official Account's API access.

    Args:
        app_id: the AppID.
        secret: the AppSecret.
        base_url: ``WEIQUAN_WECHAT_API_BASE_URL`` or WeChat's own.
        timeout: seconds before an unanswered call counts as failed (retried later).
    """

    def __init__(
        self, app_id: str, secret: str, base_url: str | None = None, timeout: float = 15.0
    ) -> None:
        self.app_id = app_id
        self.timeout = timeout
        self.secret = secret
        self.base_url = (base_url or DEFAULT_API_BASE).rstrip("/") + "/"
        # One connection pool for all clients (a client is cheap; its pool is not).
        self._http = requests.Session()
        self.tokens: TokenStore | None = None

    def client(self, token: str | None = None) -> WeChatClient:
        """A wechatpy client using ``token``."""
        client = _Client(self.app_id, self.secret, self.base_url, token, self.timeout)
        client._http = self._http
        return client

    async def fetch_token(self) -> tuple[str, int]:
        """A new token from ``/cgi-bin/token`` (only the token store calls this)."""
        try:
            result = await asyncio.to_thread(self.client().fetch_access_token)
        except WeChatClientException as exc:
            # 40125 wrong secret, 40164 server IP not whitelisted: an operator must act.
            log.error("operator alert: WeChat token fetch failed",
                      extra={"errcode": errcode(exc), "errmsg": str(exc.errmsg)})
            raise RetryLater(f"token fetch failed: {exc.errcode} {exc.errmsg}", 300) from exc
        except requests.RequestException as exc:
            raise RetryLater(f"token fetch failed: {type(exc).__name__}") from exc
        return str(result["access_token"]), int(result.get("expires_in", 7200))

    def token_store(self) -> TokenStore:
        """The shared token store (set by the channel wiring)."""
        if self.tokens is None:
            raise RuntimeError("WeChatApi.tokens is not set")
        return self.tokens

    async def call(self, op: Callable[[WeChatClient], T]) -> T:
        """Run ``op(client)`` in a thread; a refused token is refreshed once and retried."""
        tokens = self.token_store()
        token = await tokens.get()
        try:
            return await asyncio.to_thread(op, self.client(token))
        except WeChatClientException as exc:
            if errcode(exc) not in TOKEN_ERRORS:
                raise
            log.info("WeChat refused the access token; refreshing once",
                     extra={"errcode": errcode(exc)})
            await tokens.invalidate(token)
            token = await tokens.get()
            return await asyncio.to_thread(op, self.client(token))


class WeChatMediaFetcher:
    """Downloads temporary media (``media/get``) for the evidence worker.

    Streams with httpx: wechatpy's ``media.download`` reads the whole body into memory
    and cannot follow the ``video_url`` that video messages answer with.
    """

    platform = Platform.WECHAT

    def __init__(self, api: WeChatApi, timeout: float = 60.0) -> None:
        self.api = api
        self.timeout = timeout

    async def fetch(self, platform_ref: str, kind: str) -> AsyncIterator[bytes]:
        tokens = self.api.token_store()
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            for attempt in range(2):
                token = await tokens.get()
                params = {"access_token": token, "media_id": platform_ref}
                try:
                    async with http.stream("GET", self.api.base_url + "media/get",
                                           params=params) as res:
                        _check_status(res)
                        if not _is_json(res):
                            async for chunk in res.aiter_bytes(CHUNK):
                                yield chunk
                            return
                        data = _json(await res.aread())
                    url = data.get("video_url") or data.get("down_url")
                    if isinstance(url, str) and url:
                        async for chunk in _stream_url(http, url):
                            yield chunk
                        return
                    code = int(data.get("errcode", -1))
                    if code in TOKEN_ERRORS and attempt == 0:
                        await tokens.invalidate(token)
                        continue
                    raise _media_error(code, str(data.get("errmsg", "")))
                except httpx.HTTPError as exc:
                    raise RetryLater(f"media download failed: {type(exc).__name__}") from exc
            raise RetryLater("access token refused twice")


async def _stream_url(http: httpx.AsyncClient, url: str) -> AsyncIterator[bytes]:
    async with http.stream("GET", url) as res:
        _check_status(res)
        async for chunk in res.aiter_bytes(CHUNK):
            yield chunk


def _check_status(res: httpx.Response) -> None:
    if res.status_code == 404:
        raise MediaExpired("media no longer available (HTTP 404)")
    if res.status_code >= 400:
        raise RetryLater(f"media download: HTTP {res.status_code}")


def _is_json(res: httpx.Response) -> bool:
    ctype = res.headers.get("content-type", "").lower()
    return "json" in ctype or ctype.startswith("text/")


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        raise RetryLater("media download: unreadable answer") from None
    return data if isinstance(data, dict) else {}


def _media_error(code: int, message: str) -> Exception:
    if code == MEDIA_GONE:
        return MediaExpired(f"WeChat media expired or unknown ({code} {message})")
    if code == 45009:
        log.error("operator alert: WeChat daily API quota reached", extra={"errcode": code})
        return RetryLater(f"daily API quota reached ({code})", 3600)
    if code in (40004, 40005, 40006):  # bad media type / file type / size: never works
        return Undeliverable(f"media refused by WeChat ({code} {message})")
    return RetryLater(f"media download failed ({code} {message})")
