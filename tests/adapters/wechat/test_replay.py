"""A signed (timestamp, nonce) pair is good for WeChat's retries, never for another body.

Run on SQLite and PostgreSQL (the ``seen_nonces`` table) and on Redis, and across two
app instances sharing one store, as a deployment with several replicas is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from bots.services import Services
from bots.web.app import create_app
from storage.models import SeenNonce
from storage.seen_nonces import RedisNonces
from tests.adapters.wechat.conftest import AES_KEY, reconfigure
from tests.adapters.wechat.flow import counts, server
from tests.adapters.wechat.wire import WeChatServer, next_msg_id, text_xml
from tests.conftest import REDIS_URL, Clock
from tests.fakes.wechat_api import FakeWeChat

STORES = ["database", "redis"]


def _use_redis(services: Any, prefix: str) -> None:
    store = RedisNonces(Redis.from_url(REDIS_URL, decode_responses=True), prefix)
    services.channels["wechat"].nonces = store  # closed with the channel


@pytest.fixture
async def other(services: Any, clock: Clock) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """A second app instance (its own services) on the same database."""
    second = Services.build(services.settings)
    second.engine.clock = clock
    app = create_app(services=second)
    app.state.services = second
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield second, http
    await second.close()


async def _post(http: httpx.AsyncClient, wx: WeChatServer, ts: int, xml: str) -> httpx.Response:
    return await http.post("/webhooks/wechat", params=wx.params(ts), content=xml.encode())


@pytest.mark.parametrize("store", STORES)
async def test_same_pair_with_another_body_is_refused(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock,
    redis_keys: str, store: str,
) -> None:
    if store == "redis":
        _use_redis(services, redis_keys)
    wx = server(client, fake, clock)
    ts = int(clock.now.timestamp())
    first = text_xml("oUser-real", "hi", next_msg_id(), ts)
    assert (await _post(client, wx, ts, first)).status_code == 200
    before = await counts(services)
    # The captured query (signature, timestamp, nonce) under a body of the attacker's own.
    forged = text_xml("oUser-victim", "hi", next_msg_id(), ts)
    answer = await _post(client, wx, ts, forged)
    assert answer.status_code == 403, answer.text
    assert await counts(services) == before


@pytest.mark.parametrize("store", STORES)
async def test_wechat_retries_with_the_same_body_get_the_same_reply(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock,
    redis_keys: str, store: str,
) -> None:
    if store == "redis":
        _use_redis(services, redis_keys)
    wx = server(client, fake, clock)
    ts = int(clock.now.timestamp())
    xml = text_xml("oUser-retry", "hi", next_msg_id(), ts)
    answers = [await _post(client, wx, ts, xml) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({a.text for a in answers}) == 1
    assert (await counts(services))["processed_messages"] == 1


@pytest.mark.parametrize("store", STORES)
async def test_two_instances_share_the_seen_pairs(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock,
    other: tuple[Any, httpx.AsyncClient], redis_keys: str, store: str,
) -> None:
    second, second_http = other
    if store == "redis":
        _use_redis(services, redis_keys)
        _use_redis(second, redis_keys)
    wx = server(client, fake, clock)
    ts = int(clock.now.timestamp())
    xml = text_xml("oUser-a", "hi", next_msg_id(), ts)
    assert (await _post(client, wx, ts, xml)).status_code == 200
    before = await counts(services)
    forged = text_xml("oUser-b", "hi", next_msg_id(), ts)
    assert (await _post(second_http, wx, ts, forged)).status_code == 403
    assert await counts(services) == before
    retry = await _post(second_http, wx, ts, xml)  # WeChat's retry reaching the other replica
    assert retry.status_code == 200
    assert await counts(services) == before


async def test_safe_mode_pair_reused_with_a_new_ciphertext_is_refused(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    reconfigure(services, aes_key=AES_KEY)
    wx = server(client, fake, clock, safe=True)
    ts = int(clock.now.timestamp())
    crypto = wx.crypto()
    first = crypto.encrypt_message(text_xml("oUser-s", "hi", next_msg_id(), ts), wx.nonce, str(ts))
    answer = await client.post("/webhooks/wechat", params=wx.params(ts, first),
                               content=first.encode())
    assert answer.status_code == 200
    assert (await client.post("/webhooks/wechat", params=wx.params(ts, first),
                              content=first.encode())).status_code == 200  # a retry
    before = await counts(services)
    again = crypto.encrypt_message(text_xml("oUser-s", "1", next_msg_id(), ts), wx.nonce, str(ts))
    answer = await client.post("/webhooks/wechat", params=wx.params(ts, again),
                               content=again.encode())
    assert answer.status_code == 403
    assert await counts(services) == before



async def test_a_request_refused_for_its_content_leaves_no_pair_behind(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    ts = int(clock.now.timestamp())
    broken = text_xml("oUser-x", "hi", next_msg_id(), ts).replace(
        "<MsgType><![CDATA[text]]></MsgType>", "")
    assert (await _post(client, wx, ts, broken)).status_code == 400
    async with services.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SeenNonce)) == 0
    # The pair is still free for the real message.
    assert (await _post(client, wx, ts, text_xml("oUser-x", "hi", next_msg_id(), ts))
            ).status_code == 200
