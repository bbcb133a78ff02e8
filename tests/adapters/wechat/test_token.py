"""The shared access token: one fetch for many concurrent senders, across processes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from adapters.wechat.adapter import WeChatApi
from adapters.wechat.sender import WeChatSender
from adapters.wechat.token import RedisTokens, SharedTokens, TokenStore
from dialogs.delivery import Recipient
from dialogs.replies import Reply
from storage.db import Database
from storage.kv import DatabaseKeyValues
from storage.leases import DatabaseLeases
from storage.models import PlatformToken
from tests.fakes.wechat_api import FakeWeChat

PROCESSES = 5
MakeStore = Callable[[WeChatApi], TokenStore]
SENDS = 50


def who(n: int) -> Recipient:
    return Recipient(identity_id=n, platform="wechat", external_id=f"oUser-{n}", language="en",
                     last_inbound_at=datetime.now(UTC), pushes_since_inbound=0)


async def storm(senders: list[WeChatSender]) -> None:
    results = await asyncio.gather(*(
        senders[n % len(senders)].send(who(n), [Reply(f"notice {n}")]) for n in range(SENDS)
    ))
    assert {r.via for r in results} == {"custom"}


def shared(database: Database, name: str, api: WeChatApi) -> SharedTokens:
    """The token in the database, as the app builds it for each process."""
    return SharedTokens(DatabaseKeyValues(database), DatabaseLeases(database), name,
                        api.fetch_token)


def processes(fake: FakeWeChat, store: MakeStore) -> list[WeChatSender]:
    """Senders as separate processes would have them: each its own API and token store."""
    senders = []
    for _ in range(PROCESSES):
        api = WeChatApi(fake.app_id, fake.secret, fake.base_url)
        api.tokens = store(api)
        senders.append(WeChatSender(api))
    return senders


async def test_expired_token_in_the_database_is_fetched_once(
    fake: FakeWeChat, database: Database
) -> None:
    async with database.transaction() as session:
        session.add(PlatformToken(name="wechat:storm", value="OLD",
                                  expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    fake.token_delay = 0.2
    senders = processes(fake, lambda api: shared(database, "wechat:storm", api))
    await storm(senders)
    assert len(fake.calls_to("token")) == 1
    assert {c.params["access_token"] for c in fake.calls_to("message/custom/send")} == {
        "TOKEN-1"
    }
    async with database.sessions() as session:
        row = await session.get_one(PlatformToken, "wechat:storm")
        lease = await session.get_one(PlatformToken, "wechat:storm:refresh")
    assert row.value == "TOKEN-1"
    # The refresher gave its lease up: the next refresh need not wait it out.
    assert lease.expires_at is not None and lease.expires_at <= datetime.now(UTC)


async def test_token_refused_by_wechat_is_refreshed_once(
    fake: FakeWeChat, database: Database
) -> None:
    # Another deployment (or the MP console) fetched a token: ours is still "valid" here.
    async with database.transaction() as session:
        session.add(PlatformToken(name="wechat:stale", value="STALE",
                                  expires_at=datetime.now(UTC) + timedelta(hours=1)))
    fake.token_delay = 0.1
    await storm(processes(fake, lambda api: shared(database, "wechat:stale", api)))
    assert len(fake.calls_to("token")) == 1


async def test_failed_fetch_releases_the_claim(fake: FakeWeChat, database: Database) -> None:
    api = WeChatApi(fake.app_id, fake.secret, fake.base_url)
    tokens = shared(database, "wechat:fail", api)
    fake.script("token", 40164)  # server IP not whitelisted
    with pytest.raises(Exception, match="40164"):
        await tokens.get()
    assert await tokens.get() == "TOKEN-1"


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    prefix = f"weiquan-test-{uuid.uuid4().hex}:"
    yield prefix
    redis = Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    keys = [key async for key in redis.scan_iter(f"{prefix}*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


def redis_store(prefix: str) -> MakeStore:
    def make(api: WeChatApi) -> TokenStore:
        redis = Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
        return RedisTokens(redis, f"{prefix}wechat_token:{api.app_id}", api.fetch_token)
    return make


async def test_redis_expired_token_is_fetched_once(fake: FakeWeChat, redis_prefix: str) -> None:
    fake.token_delay = 0.2
    await storm(processes(fake, redis_store(redis_prefix)))
    assert len(fake.calls_to("token")) == 1


async def test_redis_refused_token_is_refreshed_once(
    fake: FakeWeChat, redis_prefix: str
) -> None:
    redis = Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    await redis.set(f"{redis_prefix}wechat_token:{fake.app_id}", "STALE", ex=600)
    await redis.aclose()
    fake.token_delay = 0.1
    await storm(processes(fake, redis_store(redis_prefix)))
    assert len(fake.calls_to("token")) == 1
