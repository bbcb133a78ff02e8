"""Bot API calls on one shared aiohttp session: python-telegram-bot's request class.

Every reply is a ``sendMessage`` call, and under load httpx and httpcore cost more CPU
than the rest of the update (``bench/RESULTS.md``: 3.1–5.0 ms of server CPU an update
with httpx against 2.4–2.8 with aiohttp). :class:`KeepAliveRequest` is an
``HTTPXRequest`` whose form-encoded POSTs (every call but uploads) go out through one
aiohttp session with kept-alive connections; uploads and downloads stay with httpx.
Errors reach python-telegram-bot as its own ``TimedOut`` and ``NetworkError``, as with
httpx. A call that failed is never sent again here (aiohttp retries only idempotent
methods; the caller decides, see ``adapters/telegram/sender.py``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class KeepAliveRequest(HTTPXRequest):
    """``HTTPXRequest`` with form POSTs on an aiohttp session of kept-alive connections.

    Takes ``HTTPXRequest``'s arguments; at most ``connection_pool_size`` connections are
    open at once on each path, and its timeouts apply to both.
    """

    def __init__(self, connection_pool_size: int = 8, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)
        self._size = connection_pool_size
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        await super().shutdown()

    def _session_here(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or loop is not self._loop:
            # A session belongs to one event loop (tests run several).
            connector = aiohttp.TCPConnector(limit=self._size, limit_per_host=self._size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )
            self._loop = loop
        return self._session

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        write_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: Any = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if method != "POST" or (request_data is not None and request_data.multipart_data):
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        defaults = self._client.timeout
        timeout = aiohttp.ClientTimeout(
            connect=_pick(pool_timeout, defaults.pool),
            sock_connect=_pick(connect_timeout, defaults.connect),
            sock_read=_pick(read_timeout, defaults.read),
        )
        body = request_data.url_encoded_parameters().encode() if request_data else b""
        try:
            async with self._session_here().post(
                url, data=body, headers=_FORM, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut("the Bot API did not answer in time") from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"connection to the Bot API broke: {err!r}") from err


def _pick(given: Any, default: float | None) -> float | None:
    return default if isinstance(given, DefaultValue) else given
