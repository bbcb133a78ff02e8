"""One load window: complete conversations against one server for a fixed time.

``concurrency`` connections each replay conversations (bench/script.py) back to back
until the window ends; a conversation under way then runs to its end (so that it files
its complaint) but its later messages are not counted. CPU is read from ``/proc`` at
the window's start and end (bench/cpu.py). With ``consumers`` instead of a time, the
window runs that many conversations and ends when the last one does.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field

from bench import cpu
from bench.common import Figures
from bench.http import Connection, CookieJar
from bench.protocols import Protocol
from bench.script import COMPLAINT_LINES

FILING = len(COMPLAINT_LINES) - 1

#: Returns the PostgreSQL backends serving the server under test (empty on SQLite).
PostgresPids = Callable[[], Awaitable[Collection[int]]]


@dataclass
class Window:
    """What one window measured."""

    target: str
    figures: Figures
    conversations: int = 0
    used: cpu.Used = field(default_factory=lambda: cpu.Used(0, 0, 0, 0))
    #: Latencies of the conversation's last message, the one that files the complaint.
    filing: Figures = field(default_factory=Figures)

    @property
    def messages(self) -> int:
        return len(self.figures.latencies)

    def per_message_ms(self, seconds: float) -> float:
        return seconds / self.messages * 1000 if self.messages else math.nan


async def _conversation(
    conn: Connection, proto: Protocol, user: str, window: Window, deadline: float
) -> None:
    figures = window.figures
    # Each simulated consumer is one browser: the web chat's identity cookie stays with it.
    jar = CookieJar()
    for n, line in enumerate(COMPLAINT_LINES):
        method, path, body, headers = proto.encode(user, n, line)
        started = time.perf_counter()
        try:
            status, data = await conn.request(method, path, body, headers, jar)
        except Exception:
            figures.errors += 1
            return
        done = time.perf_counter()
        if done <= deadline:
            figures.latencies.append(done - started)
            if n == FILING:
                window.filing.latencies.append(done - started)
        if status != 200 or not proto.ok(data):
            figures.errors += 1


async def run_window(
    target: str,
    host: str,
    port: int,
    proto: Protocol,
    *,
    concurrency: int,
    tag: str,
    server_pids: Collection[int],
    postgres_pids: PostgresPids,
    seconds: float | None = None,
    consumers: int | None = None,
) -> Window:
    """Load ``host:port`` for ``seconds`` (or ``consumers`` conversations) and measure."""
    figures = Figures()
    window = Window(target, figures)
    names = (f"{tag}-{i}" for i in itertools.count())
    left = itertools.count() if consumers is None else iter(range(consumers))
    start_pg = await postgres_pids()
    begin = cpu.snapshot(server_pids, start_pg)
    started = time.perf_counter()
    deadline = started + seconds if seconds is not None else math.inf

    async def worker() -> None:
        conn = Connection(host, port)
        try:
            while time.perf_counter() < deadline and next(left, None) is not None:
                window.conversations += 1
                await _conversation(conn, proto, next(names), window, deadline)
        finally:
            await conn.close()

    workers = asyncio.gather(*(worker() for _ in range(concurrency)))
    if seconds is not None:
        await asyncio.sleep(seconds)
    else:
        await workers
    end_pg = set(await postgres_pids()) | set(start_pg)
    end = cpu.snapshot(server_pids, end_pg)
    figures.seconds = (deadline if seconds is not None else time.perf_counter()) - started
    window.used = cpu.used(begin, end)
    await workers  # the conversations under way finish (not counted)
    return window
