"""Sending hostile requests and judging the answers: no 5xx, nothing written when refused."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from adapters.wechat.verify import signature
from tests.hostile.conftest import TELEGRAM_SECRET, WECHAT_TOKEN, row_counts

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def json_bytes(value: Any) -> bytes:
    """JSON as a platform sends it; lone surrogates travel as ``\\udXXX`` escapes."""
    return json.dumps(value, ensure_ascii=True).encode("ascii")


def form_bytes(fields: dict[str, str]) -> bytes:
    """A urlencoded form; lone surrogates are sent as their (invalid) UTF-8 bytes."""
    return urlencode(fields, encoding="utf-8", errors="surrogatepass").encode("ascii")


# Longest value put into a URL: httpx refuses URLs over 64 KiB before sending.
URL_VALUE = 5000


def query(fields: dict[str, str]) -> str:
    short = {k: v[:URL_VALUE] for k, v in fields.items()}
    return urlencode(short, encoding="utf-8", errors="surrogatepass")


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


async def telegram(http: httpx.AsyncClient, update: Any) -> httpx.Response:
    body = update if isinstance(update, bytes) else json_bytes(update)
    headers = {**JSON, "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    return await http.post("/webhooks/telegram", content=body, headers=headers)


async def wechat(http: httpx.AsyncClient, xml: str | bytes) -> httpx.Response:
    """A signed plain-mode WeChat push (the replay window is off in these tests)."""
    body = xml if isinstance(xml, bytes) else xml.encode("utf-8", "surrogatepass")
    ts, nonce = str(int(time.time())), "hostile"
    params = {"signature": signature(WECHAT_TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
    return await http.post(
        "/webhooks/wechat", params=params, content=body, headers={"Content-Type": "text/xml"}
    )


@dataclass
class Ledger:
    """Every request tried, and what went wrong."""

    services: Any
    failures: list[str] = field(default_factory=list)
    tried: int = 0

    async def check(
        self,
        label: str,
        send: Awaitable[httpx.Response],
        *,
        message: bool = False,
    ) -> httpx.Response:
        """Send once; a 5xx, a refusal that wrote rows, or a lost message is a failure.

        Args:
            label: names the case in the failure list.
            send: the request, not yet started (a coroutine).
            message: a consumer's message: a 2xx must have recorded it.
        """
        before = await row_counts(self.services)
        response = await send
        after = await row_counts(self.services)
        self.tried += 1
        grown = {t: after[t] - before[t] for t in after if after[t] != before[t]}
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{label}: {status} {response.text[:120]!r}")
        elif 400 <= status < 500 and grown:
            self.failures.append(f"{label}: refused with {status} but wrote {grown}")
        elif message and status < 300 and not grown.get("processed_messages"):
            self.failures.append(f"{label}: answered {status} but the message was not recorded")
        return response

    def assert_clean(self) -> None:
        assert self.tried, "nothing was tried"
        assert not self.failures, f"{len(self.failures)} of {self.tried}:\n" + "\n".join(
            self.failures[:40]
        )
