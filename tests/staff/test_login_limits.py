"""The login limiter: one moving-window contract, run on memory and on Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as redis_asyncio
from limits.aio.storage import MemoryStorage, Storage

from bots.staff.login_limits import LoginLimiter, redis_storage

REDIS_URL = "redis://127.0.0.1:6379/0"
Make = Callable[..., LoginLimiter]


@pytest.fixture(params=["memory", "redis"])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[Make]:
    """Builds limiters on one storage; Redis keys live under a prefix of this test's own."""
    pool = None
    storage: Storage
    if request.param == "redis":
        pool = redis_asyncio.ConnectionPool.from_url(REDIS_URL)
        storage = redis_storage(REDIS_URL, pool, key_prefix=f"weiquan-test-{uuid.uuid4().hex}")
    else:
        storage = MemoryStorage()

    def build(**kwargs: int) -> LoginLimiter:
        return LoginLimiter(storage, **kwargs)

    yield build
    if pool is not None:  # memory storage goes with the test
        await storage.reset()
        await pool.aclose()


async def test_five_failures_block_that_name_from_that_address_only(make: Make) -> None:
    limiter = make()
    for _ in range(5):
        assert not await limiter.blocked("Zhao", "10.0.0.1")
        await limiter.failed("Zhao", "10.0.0.1")
    assert await limiter.blocked("zhao", "10.0.0.1")  # names are not case-sensitive
    assert not await limiter.blocked("qian", "10.0.0.1")
    assert not await limiter.blocked("zhao", "10.0.0.2")
    # Separators in a name cannot make two keys meet.
    for _ in range(5):
        await limiter.failed("a/b", "c")
    assert not await limiter.blocked("a", "b/c")


async def test_failing_with_many_other_names_resets_nothing(make: Make) -> None:
    limiter = make()
    for _ in range(5):
        await limiter.failed("victim", "10.0.0.9")
    for n in range(10_050):  # a spray of names, past any cache size
        await limiter.failed(f"spray-{n}", "10.0.0.9")
    assert await limiter.blocked("victim", "10.0.0.9")


async def test_failures_leave_the_window_one_by_one(make: Make) -> None:
    limiter = make(window_seconds=2)
    for _ in range(3):
        await limiter.failed("sun", "10.0.0.3")
    await asyncio.sleep(1.1)
    for _ in range(2):
        await limiter.failed("sun", "10.0.0.3")
    assert await limiter.blocked("sun", "10.0.0.3")
    await asyncio.sleep(1.1)  # the first three are out of the window, the last two not
    assert not await limiter.blocked("sun", "10.0.0.3")
    await limiter.failed("sun", "10.0.0.3")
    await limiter.failed("sun", "10.0.0.3")
    assert not await limiter.blocked("sun", "10.0.0.3")  # four in the last two seconds
    await limiter.failed("sun", "10.0.0.3")
    assert await limiter.blocked("sun", "10.0.0.3")


async def test_signing_in_clears_the_failures(make: Make) -> None:
    limiter = make()
    for _ in range(4):
        await limiter.failed("li", "10.0.0.4")
    await limiter.succeeded("li", "10.0.0.4")
    for _ in range(4):
        await limiter.failed("li", "10.0.0.4")
    assert not await limiter.blocked("li", "10.0.0.4")
