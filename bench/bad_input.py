"""Bad input at load: no 5xx, no rows written, memory flat.

Usage: ``python -m bench.bad_input [--requests 10000] [--sqlite]``

Sends a mix of bad WeChat signatures, stale timestamps, oversized bodies, XML bombs
(entities, DOCTYPE), malformed XML and malformed, non-UTF-8, deeply nested, oversized or
NUL-carrying web-chat JSON at a
single ``weiquan serve`` process, then checks that no answer was a 5xx, that no table
gained a row, and how much the server's resident memory grew.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlparse

from adapters.wechat.verify import signature
from bench.common import postgres_database, weiquan_server
from bench.http import Connection
from bench.protocols import WECHAT_TOKEN

BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"
)
TEXT = (
    "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[bad]]></FromUserName>"
    "<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[hi]]></Content><MsgId>{n}</MsgId></xml>"
)


def signed(ts: int, nonce: str = "n") -> str:
    return "/webhooks/wechat?" + urlencode(
        {"signature": signature(WECHAT_TOKEN, str(ts), nonce), "timestamp": ts, "nonce": nonce}
    )


def bad_request(n: int) -> tuple[str, str, str, bytes, dict[str, str]]:
    """One bad request of a kind chosen by ``n``: (kind, method, path, body, headers)."""
    now = int(time.time())
    xml = {"Content-Type": "text/xml"}
    kinds = [
        (
            "bad signature",
            "POST",
            "/webhooks/wechat?"
            + urlencode({"signature": "0" * 40, "timestamp": now, "nonce": "n"}),
            TEXT.format(ts=now, n=n).encode(),
            xml,
        ),
        ("stale timestamp", "POST", signed(now - 3600), TEXT.format(ts=now, n=n).encode(), xml),
        ("oversized", "POST", signed(now), b"<xml>" + b"a" * (70 * 1024) + b"</xml>", xml),
        ("xml bomb", "POST", signed(now), BOMB.encode(), xml),
        ("malformed xml", "POST", signed(now), b"<xml><Content>unclosed", xml),
        ("missing fields", "POST", signed(now), b"<xml><MsgType>text</MsgType></xml>", xml),
        (
            "malformed json",
            "POST",
            "/chat/messages",
            b'{"user": "x", "text": ',
            {"Content-Type": "application/json"},
        ),
        (
            "bad web user",
            "POST",
            "/chat/messages",
            b'{"user": "../../x", "text": "hi"}',
            {"Content-Type": "application/json"},
        ),
        (
            "non-utf8 body",
            "POST",
            "/chat/messages",
            b"\xff\xfe\x00{\"user\": \"x\"}",
            {"Content-Type": "text/plain"},
        ),
        (
            "deep json",
            "POST",
            "/chat/messages",
            b"[" * 100_000,
            {"Content-Type": "application/json"},
        ),
        (
            "nul message id",
            "POST",
            "/chat/messages",
            b'{"user": "x", "text": "hi", "message_id": "a\\u0000b"}',
            {"Content-Type": "application/json"},
        ),
        (
            "oversized text",
            "POST",
            "/chat/messages",
            ('{"user": "x", "text": "' + "a" * 20000 + '"}').encode(),
            {"Content-Type": "application/json"},
        ),
    ]
    return kinds[n % len(kinds)]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def row_counts(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import Base

    db = Database(url)
    try:
        async with db.sessions() as session:
            return {
                t.name: int(await session.scalar(select(func.count()).select_from(t)) or 0)
                for t in Base.metadata.sorted_tables
            }
    finally:
        await db.dispose()


async def fire(base: str, total: int, concurrency: int) -> Counter[tuple[str, int]]:
    url = urlparse(base)
    seen: Counter[tuple[str, int]] = Counter()
    order = list(range(total))
    random.Random(7).shuffle(order)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in order:
        queue.put_nowait(n)

    async def worker() -> None:
        conn = Connection(url.hostname or "127.0.0.1", url.port or 80)
        try:
            while not queue.empty():
                kind, method, path, body, headers = bad_request(queue.get_nowait())
                status, _ = await conn.request(method, path, body, headers)
                seen[(kind, status)] += 1
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_database() as pg:
        url = f"sqlite+aiosqlite:///{tmp}/bad.db" if args.sqlite else pg
        with weiquan_server(url, Path(tmp), workers=1) as (base, proc):
            before_rows = asyncio.run(row_counts(url))
            asyncio.run(fire(base, 500, 16))  # warm up allocators and caches
            before = rss_kib(proc.pid)
            started = time.perf_counter()
            seen = asyncio.run(fire(base, args.requests, 32))
            seconds = time.perf_counter() - started
            after = rss_kib(proc.pid)
            after_rows = asyncio.run(row_counts(url))
    print(f"{args.requests} bad requests in {seconds:.1f} s ({args.requests / seconds:.0f}/s)")
    for (kind, status), count in sorted(seen.items()):
        print(f"  {kind:<16} {status}  x{count}")
    fives = sum(c for (_, s), c in seen.items() if s >= 500)
    grown = {
        t: after_rows[t] - before_rows[t] for t in after_rows if after_rows[t] != before_rows[t]
    }
    print(f"5xx answers: {fives}")
    print(f"rows written: {grown or 'none'}")
    growth = (after - before) / 1024
    print(f"server RSS: {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB ({growth:+.1f} MiB)")
    ok = fives == 0 and not grown and after - before < 20 * 1024
    print("PASS" if ok else "FAIL")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
