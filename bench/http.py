"""A minimal keep-alive HTTP/1.1 client for load generation.

httpx spends more CPU per request than the server under test does; on a 2-core
machine that would measure the client. This speaks just enough HTTP/1.1 for our own
endpoints: one request at a time per connection, Content-Length bodies, and cookies
kept per simulated consumer (the web chat knows its consumers by a cookie it issues).
"""

from __future__ import annotations

import asyncio


class CookieJar:
    """The cookies one simulated browser holds (name -> value; no paths or expiry)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def header(self) -> str | None:
        """The ``Cookie`` request header, or None when the jar is empty."""
        if not self.cookies:
            return None
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def update(self, set_cookie: str) -> None:
        """Keep the cookie of one ``Set-Cookie`` response header."""
        name, _, value = set_cookie.split(";", 1)[0].partition("=")
        if name.strip():
            self.cookies[name.strip()] = value.strip()


class Connection:
    """One keep-alive connection to ``host:port``."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        jar: CookieJar | None = None,
    ) -> tuple[int, bytes]:
        """Send one request and return (status, body); reconnects once if the peer closed.

        With a ``jar``, its cookies go with the request and cookies set by the answer
        are kept in it.
        """
        headers = dict(headers or {})
        cookie = jar.header() if jar is not None else None
        if cookie:
            headers["Cookie"] = cookie
        for attempt in (0, 1):
            if self.writer is None:
                await self._open()
            assert self.reader is not None and self.writer is not None
            head = [
                f"{method} {path} HTTP/1.1",
                f"Host: {self.host}:{self.port}",
                f"Content-Length: {len(body)}",
            ]
            head.extend(f"{k}: {v}" for k, v in headers.items())
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            try:
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed")
                status = int(status_line.split()[1])
                length = 0
                chunked = False
                while True:
                    line = await self.reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    lname = name.strip().lower()
                    if lname == "content-length":
                        length = int(value.strip())
                    elif lname == "transfer-encoding" and "chunked" in value.lower():
                        chunked = True
                    elif lname == "set-cookie" and jar is not None:
                        jar.update(value.strip())
                if chunked:
                    data = bytearray()
                    while True:
                        size = int((await self.reader.readline()).strip(), 16)
                        if size == 0:
                            await self.reader.readline()
                            break
                        data += await self.reader.readexactly(size)
                        await self.reader.readline()
                    return status, bytes(data)
                return status, await self.reader.readexactly(length) if length else b""
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        self.reader = self.writer = None
