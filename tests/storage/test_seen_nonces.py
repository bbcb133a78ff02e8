"""The seen-nonce stores: one contract, run on SQLite, PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from adapters.wechat.verify import NonceStore
from storage.db import Database
from storage.models import SeenNonce
from storage.seen_nonces import DatabaseNonces, RedisNonces
from tests.conftest import REDIS_URL, Clock

MakeStore = Callable[[], NonceStore]


@pytest.fixture(params=["database", "redis"])
async def make_store(
    request: pytest.FixtureRequest, database: Database, clock: Clock, redis_keys: str
) -> AsyncIterator[MakeStore]:
    """A factory of stores sharing one backend, as the processes of one deployment do."""
    made: list[NonceStore] = []

    def make() -> NonceStore:
        store: NonceStore
        if request.param == "database":
            store = DatabaseNonces(database, clock)
        else:
            store = RedisNonces(Redis.from_url(REDIS_URL, decode_responses=True), redis_keys)
        made.append(store)
        return store

    yield make
    for store in made:
        await store.close()


async def test_a_pair_is_new_once_and_then_only_with_its_own_body(make_store: MakeStore) -> None:
    first, second = make_store(), make_store()
    assert await first.claim("1700000000:42", "a" * 64, ttl=300)
    assert await first.claim("1700000000:42", "a" * 64, ttl=300)  # WeChat's retry
    assert await second.claim("1700000000:42", "a" * 64, ttl=300)  # retry to another process
    assert not await second.claim("1700000000:42", "b" * 64, ttl=300)
    assert not await first.claim("1700000000:42", "b" * 64, ttl=300)
    assert await second.claim("1700000000:43", "b" * 64, ttl=300)


async def test_concurrent_claims_of_one_pair_let_exactly_one_body_through(
    make_store: MakeStore,
) -> None:
    stores = [make_store() for _ in range(4)]
    claims = [stores[n % 4].claim("1700000000:7", f"{n:064d}", ttl=300) for n in range(40)]
    won = [n for n, new in enumerate(await asyncio.gather(*claims)) if new]
    assert len(won) == 1
    assert await stores[0].claim("1700000000:7", f"{won[0]:064d}", ttl=300)


async def test_redis_keys_expire_with_the_window(redis_keys: str) -> None:
    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    store = RedisNonces(redis, redis_keys, owned=False)
    await store.claim("1700000000:42", "a" * 64, ttl=120)
    assert 0 < await redis.ttl(f"{redis_keys}1700000000:42") <= 120
    await redis.aclose()


async def test_database_rows_expire_and_are_pruned(database: Database, clock: Clock) -> None:
    store = DatabaseNonces(database, clock)
    assert await store.claim("1700000000:42", "a" * 64, ttl=300)
    assert await store.claim("1700000000:43", "a" * 64, ttl=300)
    clock.advance(seconds=301)
    # A pair whose window is over no longer blocks anything…
    assert await store.claim("1700000000:42", "b" * 64, ttl=300)
    # …and a process that starts later deletes the rows nobody needs.
    later = DatabaseNonces(database, clock)
    assert await later.claim("1700000000:44", "c" * 64, ttl=300)
    async with database.sessions() as session:
        keys = set((await session.scalars(select(SeenNonce.key))).all())
        expired = await session.scalar(select(func.count()).select_from(SeenNonce).where(
            SeenNonce.expires_at <= clock.now - timedelta(seconds=1)))
    assert keys == {"1700000000:42", "1700000000:44"}
    assert expired == 0
