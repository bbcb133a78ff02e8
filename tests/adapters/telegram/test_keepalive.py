"""Bot API calls on kept-alive connections (adapters/telegram/keepalive.py), on a real socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from adapters.telegram.keepalive import KeepAliveRequest

TOKEN = "123456:KEEPALIVE-token"
BOT = {"id": 123456, "is_bot": True, "first_name": "Weiquan", "username": "weiquan_bot"}


@dataclass
class Peer:
    """A Bot API on 127.0.0.1 whose manners the test picks."""

    connections: int = 0
    texts: list[str] = field(default_factory=list)
    close_after_answer: bool = False
    chunked: bool = False
    silent: bool = False
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        while request := await reader.readline():
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            form = parse_qs((await reader.readexactly(length)).decode())
            if self.silent:
                await asyncio.sleep(30)
            method = request.split()[1].decode().rsplit("/", 1)[1]
            result: object = BOT
            if method == "sendMessage":
                self.texts.append(form["text"][0])
                result = {"message_id": len(self.texts), "date": 0, "text": form["text"][0],
                          "chat": {"id": int(form["chat_id"][0]), "type": "private"}}
            body = json.dumps({"ok": True, "result": result}).encode()
            close = b"Connection: close\r\n" if self.close_after_answer else b""
            if self.chunked:
                half = len(body) // 2
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + close
                             + b"\r\n" + b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n"
                             % (half, body[:half], len(body) - half, body[half:]))
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s"
                             % (len(body), close, body))
            await writer.drain()
            if self.close_after_answer:
                break
        writer.close()


@pytest.fixture
async def peer() -> AsyncIterator[tuple[Peer, str]]:
    state = Peer()
    server = await asyncio.start_server(state.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield state, f"http://127.0.0.1:{port}/bot"
        for writer in state.writers:
            writer.close()


def bot_at(base: str, **timeouts: float) -> Bot:
    return Bot(TOKEN, base_url=base, request=KeepAliveRequest(connection_pool_size=4, **timeouts))


async def test_calls_reuse_one_connection(peer: tuple[Peer, str]) -> None:
    state, base = peer
    async with bot_at(base) as bot:
        sent = [await bot.send_message(42, f"reply {n} 投诉 & = ?") for n in range(20)]
    assert [m.message_id for m in sent] == list(range(1, 21))
    assert state.texts == [f"reply {n} 投诉 & = ?" for n in range(20)]
    assert state.connections == 1  # getMe and the 20 replies on one connection


async def test_calls_at_once_share_the_pool(peer: tuple[Peer, str]) -> None:
    state, base = peer
    async with bot_at(base) as bot:
        await asyncio.gather(*(bot.send_message(42, str(n)) for n in range(12)))
        await asyncio.gather(*(bot.send_message(42, str(n)) for n in range(12)))
    assert sorted(state.texts, key=int) == sorted([str(n) for n in range(12)] * 2, key=int)
    assert state.connections <= 4


@pytest.mark.parametrize("manner", ["close_after_answer", "chunked"])
async def test_closing_and_chunked_answers(peer: tuple[Peer, str], manner: str) -> None:
    state, base = peer
    setattr(state, manner, True)
    async with bot_at(base) as bot:
        for n in range(3):
            assert (await bot.send_message(7, f"m{n}")).text == f"m{n}"
    assert state.texts == ["m0", "m1", "m2"]
    assert state.connections == (4 if manner == "close_after_answer" else 1)


async def test_a_connection_the_server_closed_while_idle_is_not_used(
    peer: tuple[Peer, str],
) -> None:
    state, base = peer
    async with bot_at(base) as bot:
        await bot.send_message(7, "before")
        for writer in state.writers:
            writer.close()
        await asyncio.sleep(0.05)
        await bot.send_message(7, "after")
    assert state.texts == ["before", "after"]
    assert state.connections == 2


async def test_no_answer_is_a_timeout_and_no_server_is_a_network_error(
    peer: tuple[Peer, str],
) -> None:
    state, base = peer
    async with bot_at(base, read_timeout=0.3) as bot:
        state.silent = True
        with pytest.raises(TimedOut):
            await bot.send_message(7, "lost in silence")
        assert state.texts == []
    with pytest.raises(NetworkError):
        async with bot_at("http://127.0.0.1:9/bot") as lonely:
            await lonely.send_message(7, "nobody listens")
