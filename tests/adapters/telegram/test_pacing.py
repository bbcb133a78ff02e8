"""Telegram's send limits: the in-memory and the Redis pacer keep the same rules.

Each test runs on one in-memory pacer and on two Redis pacers sharing the real Redis
(two processes of one deployment), and measures when the sends were let through.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from itertools import count, pairwise

import pytest
from redis.asyncio import Redis

from adapters.telegram.pacing import BURST, LocalPacer, Pacer, RedisPacer
from tests.conftest import REDIS_URL

# How much later than Redis granted it a send may be seen here (event loop, network).
JITTER = 0.015

Pair = Callable[..., tuple[Pacer, Pacer]]


@pytest.fixture(params=["memory", "redis"])
async def pacers(request: pytest.FixtureRequest) -> AsyncIterator[Pair]:
    """Makes two pacers of one deployment: the same object in memory, or two Redis
    clients on one key prefix of this test's own."""
    if request.param == "memory":

        def local(**limits: float) -> tuple[Pacer, Pacer]:
            pacer = LocalPacer(**limits)  # type: ignore[arg-type]
            return pacer, pacer

        yield local
        return
    prefix = f"weiquan-test-pacing-{uuid.uuid4().hex}"
    clients = [Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)]
    made = count()

    def shared(**limits: float) -> tuple[Pacer, Pacer]:
        scope = f"{prefix}:{next(made)}"
        first, second = (RedisPacer(c, scope, **limits) for c in clients)  # type: ignore[arg-type]
        return first, second

    yield shared
    keys = [key async for key in clients[0].scan_iter(f"{{{prefix}:*")]
    if keys:
        await clients[0].delete(*keys)
    for client in clients:
        await client.aclose()


async def send_times(pair: tuple[Pacer, Pacer], messages: int, senders: int = 2) -> list[float]:
    """When each of ``messages`` (all to different chats) was let through, sorted;
    ``senders`` tasks per pacer send one after another, like a worker's deliveries."""
    times: list[float] = []
    chats = iter(range(messages))

    async def sender(pacer: Pacer) -> None:
        for chat in chats:
            await pacer.wait(chat)
            times.append(time.monotonic())

    await asyncio.gather(*(sender(pacer) for pacer in pair for _ in range(senders)))
    return sorted(times)


def most_within(times: list[float], width: float) -> int:
    """The largest number of sends inside any window ``width`` seconds long."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= width:
            first += 1
        most = max(most, last - first + 1)
    return most


async def test_sends_are_evenly_spaced_without_slack(pacers: Pair) -> None:
    times = await send_times(pacers(overall=30, burst=0), 40)
    gaps = sorted(later - earlier for earlier, later in pairwise(times))
    # A pause of this busy machine can bunch two sends seen here: two may be short.
    assert gaps[2] >= 1 / 30 - JITTER, [round(g, 3) for g in gaps]
    assert times[-1] - times[0] >= 39 / 30 - JITTER


async def test_no_burst_at_a_second_boundary(pacers: Pair) -> None:
    # After a pause the slack lets BURST messages run ahead, never a second's worth; the
    # messages the one-second limit holds back then go on evenly spaced, not together
    # when the second turns.
    times = await send_times(pacers(overall=30), 75)
    assert most_within(times, 1.0) <= 30 + 2
    assert most_within(times, 0.25) <= int(0.25 * 30) + BURST + 2
    steady = [moment for moment in times if moment - times[0] >= 0.5]
    assert most_within(steady, 0.1) <= 3 + 2, [round(t - times[0], 3) for t in times]


async def test_thirty_per_second_overall(pacers: Pair) -> None:
    times = await send_times(pacers(overall=30), 45)
    assert times[-1] - times[0] >= 0.95 - JITTER


async def test_one_message_per_second_per_chat(pacers: Pair) -> None:
    first, second = pacers()
    started = time.monotonic()
    await first.wait(1)
    await second.wait(1)  # the other process waits for the same chat
    assert time.monotonic() - started >= 0.9
    other = time.monotonic()
    await first.wait(2)  # another chat is not held up
    assert time.monotonic() - other < 0.1


async def test_per_chat_can_be_left_out(pacers: Pair) -> None:
    first, second = pacers()
    started = time.monotonic()
    await first.wait(1)
    await second.wait(1, per_chat=False)
    assert time.monotonic() - started < 0.1
