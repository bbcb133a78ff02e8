"""A web chat consumer for tests: a browser of its own, with its own cookie jar.

The server tells web consumers apart by the signed cookie it issues, so each consumer
in a test is one HTTP client; two consumers never share a jar.
"""

from __future__ import annotations

from typing import Any

import httpx

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18"
    b"\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


class WebConsumer:
    """One browser on the web chat.

    Args:
        http: this consumer's own client (its cookie jar holds the identity).
        lang: the language the page sends with each message.
    """

    def __init__(self, http: httpx.AsyncClient, lang: str = "en") -> None:
        self.http = http
        self.lang = lang

    @classmethod
    def beside(cls, client: httpx.AsyncClient, lang: str = "en") -> WebConsumer:
        """A new consumer on the same app as ``client`` (same transport, empty jar)."""
        # httpx has no public accessor for a client's transport; sharing it is what a
        # second browser talking to the same server amounts to.
        transport = client._transport
        return cls(httpx.AsyncClient(transport=transport, base_url=client.base_url), lang)

    @classmethod
    def at(cls, base_url: str, lang: str = "en") -> WebConsumer:
        """A new consumer talking to a real server at ``base_url``."""
        return cls(httpx.AsyncClient(base_url=base_url, timeout=10), lang)

    async def __aenter__(self) -> WebConsumer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    @property
    def cookie(self) -> str | None:
        """The identity cookie the server gave this browser, if any."""
        return self.http.cookies.get("weiquan_chat")

    async def post(self, body: dict[str, Any]) -> httpx.Response:
        """``POST /chat/messages`` with ``body`` as it is (no assertions)."""
        return await self.http.post("/chat/messages", json=body)

    async def say(self, text: str, **extra: Any) -> list[dict[str, Any]]:
        """Send ``text`` (plus fields such as ``message_id``) and return the replies."""
        response = await self.post({"text": text, "lang": self.lang, **extra})
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()["replies"]
        return replies

    async def upload(
        self,
        data: bytes = PNG,
        name: str = "receipt.png",
        mime: str = "image/png",
        **form: str,
    ) -> list[dict[str, Any]]:
        """Upload one file; returns the replies."""
        response = await self.http.post(
            "/chat/uploads",
            data={"lang": self.lang, **form},
            files={"file": (name, data, mime)},
        )
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()["replies"]
        return replies

    async def notices(self) -> list[dict[str, Any]]:
        """What the page's poll of ``/chat/notices`` returns."""
        response = await self.http.get("/chat/notices")
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()["replies"]
        return replies

    async def history(self) -> list[dict[str, Any]]:
        """What a reloaded page gets from ``/chat/history``."""
        response = await self.http.get("/chat/history")
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()["replies"]
        return replies
