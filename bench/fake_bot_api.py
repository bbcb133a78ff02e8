"""A lean fake Telegram Bot API for load runs, in its own process.

``python -m bench.fake_bot_api --port 8081`` answers ``/bot<token>/<method>`` the way
Telegram does for a successful call (``sendMessage`` with a message, ``getMe`` with
the bot, anything else ``true``) and ``GET /stats`` with the calls counted per method.
Raw asyncio HTTP/1.1 with keep-alive: its CPU is not the server's, and it stays small
(tests/fakes/telegram_api.py is the full fake the tests use).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter

BOT = {"id": 123456, "is_bot": True, "first_name": "Weiquan", "username": "weiquan_bot"}
MESSAGE = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "ok"}

calls: Counter[str] = Counter()


def _result(method: str) -> bytes:
    result: object = True
    if method == "sendMessage":
        result = MESSAGE
    elif method == "getMe":
        result = BOT
    return json.dumps({"ok": True, "result": result}).encode()


_ANSWERS = {m: _result(m) for m in ("sendMessage", "getMe")}
_TRUE = _result("any")


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                return
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:].strip())
            if length:
                await reader.readexactly(length)
            path = request_line.split()[1].decode()
            if path == "/stats":
                body = json.dumps(calls).encode()
            else:
                method = path.rsplit("/", 1)[-1].split("?", 1)[0]
                calls[method] += 1
                body = _ANSWERS.get(method, _TRUE)
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\n\r\n"
                + body
            )
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def _main(port: int) -> None:
    server = await asyncio.start_server(_serve, "127.0.0.1", port, backlog=512)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(_main(args.port))
    except ImportError:  # pragma: no cover - uvloop is installed with the server
        asyncio.run(_main(args.port))


if __name__ == "__main__":
    main()
