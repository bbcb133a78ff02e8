"""Bot API calls on kept-alive HTTP/1.1 connections: python-telegram-bot's request class.

Every reply is a ``sendMessage`` call, and under load httpx and httpcore cost more CPU
than the rest of the update (httpcore tests every pooled connection for expiry on each
request, and retries an import that fails). :class:`KeepAliveRequest` is an
``HTTPXRequest`` whose form-encoded POSTs (every call but uploads) go out on a small
pool of plain asyncio connections, TLS where the URL says ``https``; uploads and
downloads stay with httpx. Errors reach python-telegram-bot as its own ``TimedOut``
and ``NetworkError``, as with httpx: a call that failed is never sent again here (the
caller decides, see ``adapters/telegram/sender.py``).
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any
from urllib.parse import urlsplit

from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

_Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class _Response(Exception):
    """The peer broke HTTP/1.1 (or closed): the connection is dropped."""


class KeepAliveRequest(HTTPXRequest):
    """``HTTPXRequest`` with form POSTs on kept-alive connections.

    Takes ``HTTPXRequest``'s arguments; at most ``connection_pool_size`` calls are under
    way at once on each path, and its timeouts apply to both.
    """

    def __init__(self, connection_pool_size: int = 8, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)
        self._size = connection_pool_size
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._idle: dict[tuple[str, str, int], list[_Stream]] = {}
        self._tls: ssl.SSLContext | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def shutdown(self) -> None:
        self._drop_idle()
        await super().shutdown()

    def _drop_idle(self) -> None:
        for streams in self._idle.values():
            for _, writer in streams:
                writer.close()
        self._idle.clear()

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
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # Connections and the semaphore belong to one event loop (tests run several).
            self._drop_idle()
            self._slots = asyncio.Semaphore(self._size)
            self._loop = loop
        timeout = self._client.timeout
        body = request_data.url_encoded_parameters().encode() if request_data else b""
        try:
            await asyncio.wait_for(self._slots.acquire(), _pick(pool_timeout, timeout.pool))
        except TimeoutError as err:
            raise TimedOut("Pool timeout: every connection is busy; not sent") from err
        try:
            return await self._post(
                url, body, _pick(connect_timeout, timeout.connect),
                _pick(write_timeout, timeout.write), _pick(read_timeout, timeout.read),
            )  # fmt: skip
        finally:
            self._slots.release()

    async def _post(
        self, url: str, body: bytes, connect: float | None, write: float | None,
        read: float | None,
    ) -> tuple[int, bytes]:
        parts = urlsplit(url)
        tls = parts.scheme == "https"
        host = parts.hostname or ""
        origin = (parts.scheme, host, parts.port or (443 if tls else 80))
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"User-Agent: {self.USER_AGENT}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1")
        stream = self._reuse(origin)
        try:
            if stream is None:
                stream = await asyncio.wait_for(self._open(origin), connect)
        except TimeoutError as err:
            raise TimedOut("connect timed out") from err
        except OSError as err:
            raise NetworkError(f"connect failed: {err!r}") from err
        reader, writer = stream
        try:
            writer.write(head + body)
            await asyncio.wait_for(writer.drain(), write)
            status, content, keep = await asyncio.wait_for(_read_response(reader), read)
        except TimeoutError as err:
            writer.close()
            raise TimedOut("the Bot API did not answer in time") from err
        except (OSError, EOFError, _Response, ValueError, IndexError) as err:
            writer.close()
            raise NetworkError(f"connection to the Bot API broke: {err!r}") from err
        if keep:
            self._idle.setdefault(origin, []).append((reader, writer))
        else:
            writer.close()
        return status, content

    def _reuse(self, origin: tuple[str, str, int]) -> _Stream | None:
        streams = self._idle.get(origin, [])
        while streams:
            reader, writer = streams.pop()
            # A connection the server closed while idle has seen its EOF already.
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        return None

    async def _open(self, origin: tuple[str, str, int]) -> _Stream:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            context = self._tls
        return await asyncio.open_connection(host, port, ssl=context)


def _pick(given: Any, default: float | None) -> float | None:
    return default if isinstance(given, DefaultValue) else given


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body and whether the connection may carry another request."""
    status_line = await reader.readline()
    if not status_line:
        raise _Response("closed before answering")
    version, status = status_line.split(None, 2)[:2]
    length: int | None = None
    chunked = False
    keep = version == b"HTTP/1.1"
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise _Response("closed in the headers")
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            keep = value.strip().lower() == b"keep-alive" or (
                keep and value.strip().lower() != b"close"
            )
    if chunked:
        content = bytearray()
        while size := int((await reader.readline()).split(b";", 1)[0], 16):
            content += await reader.readexactly(size)
            await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return int(status), bytes(content), keep
    if length is not None:
        return int(status), await reader.readexactly(length), keep
    return int(status), await reader.read(), False  # delimited by the close
