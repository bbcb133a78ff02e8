"""Web chat identity: issued by the server in a signed cookie, never taken from the client."""

from __future__ import annotations

from http.cookies import SimpleCookie

import httpx
from itsdangerous import Signer

from bots.services import Services
from bots.web.identity import COOKIE, SALT
from dialogs.replies import Reply
from storage import conversations, outbox
from tests.conftest import Clock
from tests.support.driver import COMPLAINT, filed, walk
from tests.support.web_consumer import WebConsumer


def consumer_id(consumer: WebConsumer) -> str:
    """The id inside a consumer's cookie (the signed value is ``id.signature``)."""
    assert consumer.cookie is not None
    return consumer.cookie.rsplit(".", 1)[0]


def set_cookie_attributes(response: httpx.Response) -> dict[str, str | bool]:
    header = response.headers["set-cookie"]
    parsed = SimpleCookie()
    parsed.load(header)
    morsel = parsed[COOKIE]
    lowered = header.lower()
    return {
        "httponly": "httponly" in lowered,
        "samesite": str(morsel["samesite"]).lower(),
        "secure": "secure" in lowered.replace("samesite", ""),
        "path": str(morsel["path"]),
    }


async def file_a_complaint(consumer: WebConsumer) -> str:
    replies = await walk(consumer.say, COMPLAINT, until=lambda r: filed(r) is not None)
    number = filed(replies)
    assert number is not None
    return number


async def queue_notice(services: Services, external_id: str, text: str) -> None:
    async with services.database.transaction() as session:
        identity = await conversations.find_identity(
            session=session, platform="web", external_id=external_id
        )
        assert identity is not None
        await outbox.enqueue(
            session=session, identity=identity, replies=[Reply(text)], now=services.now()
        )


async def test_the_first_response_sets_a_signed_httponly_lax_cookie(
    client: httpx.AsyncClient,
) -> None:
    browser = WebConsumer.beside(client)
    page = await browser.http.get("/chat")
    assert set_cookie_attributes(page) == {
        "httponly": True,
        "samesite": "lax",
        "secure": False,
        "path": "/",
    }
    issued = consumer_id(browser)
    assert issued.startswith("web-") and len(issued) == 36
    # The browser keeps it: later answers neither set a new one nor change who it is.
    await browser.say("hi")
    again = await browser.http.get("/chat")
    assert "set-cookie" not in again.headers
    assert consumer_id(browser) == issued
    # A first POST without a cookie is given one as well, each browser its own.
    other = WebConsumer.beside(client)
    await other.say("hi")
    assert other.cookie is not None and consumer_id(other) != issued


async def test_the_cookie_is_secure_over_https(services: Services) -> None:
    from bots.web.app import create_app

    app = create_app(services=services)
    app.state.services = services
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://chat.example") as http:
        page = await http.get("/chat")
    assert set_cookie_attributes(page)["secure"] is True


async def test_naming_another_consumer_reaches_nothing_of_theirs(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    alice = WebConsumer.beside(client)
    number = await file_a_complaint(alice)
    await queue_notice(services, consumer_id(alice), "Your complaint was accepted.")
    mallory = WebConsumer.beside(client)
    # Old pages sent the consumer's id in the body and the URL; it is ignored now.
    for claimed in ("alice", consumer_id(alice)):
        listing = await mallory.say("my complaints", user=claimed)
        assert number not in str(listing)
        withdraw = await mallory.say(f"withdraw {number}", user=claimed)
        assert number not in str(withdraw)
        polled = await mallory.http.get("/chat/notices", params={"user": claimed})
        assert polled.json()["replies"] == []
        history = await mallory.http.get("/chat/history", params={"user": claimed})
        assert number not in history.text
    assert consumer_id(mallory) != consumer_id(alice)
    # Alice still has her notice, her complaint and her history.
    assert [r["text"] for r in await alice.notices()] == ["Your complaint was accepted."]
    assert number in str(await alice.say("my complaints"))
    assert number in str(await alice.history())


async def test_a_forged_cookie_gets_a_fresh_identity(
    client: httpx.AsyncClient, services: Services
) -> None:
    alice = WebConsumer.beside(client)
    number = await file_a_complaint(alice)
    victim = consumer_id(alice)
    await queue_notice(services, victim, "Accepted.")
    forgeries = [
        victim,  # unsigned
        f"{victim}.AAAAAAAAAAAAAAAAAAAAAAAAAAA",  # a made-up signature
        Signer("another-deployments-secret-key", salt=SALT).sign(victim).decode(),
        alice.cookie + "x",  # type: ignore[operator]
    ]
    for forged in forgeries:
        mallory = WebConsumer.beside(client)
        response = await mallory.http.get(
            "/chat/notices", headers={"Cookie": f"{COOKIE}={forged}"}
        )
        assert response.json()["replies"] == []
        assert COOKIE in response.headers.get("set-cookie", "")
        assert consumer_id(mallory) != victim
        assert number not in str(await mallory.say("my complaints"))
        assert number not in str(await mallory.history())
    assert [r["text"] for r in await alice.notices()] == ["Accepted."]


async def test_another_consumers_message_id_is_not_answered_from_theirs(
    client: httpx.AsyncClient,
) -> None:
    # The page makes message ids; the dedupe key must not let one browser read the
    # replies stored for another's message.
    alice = WebConsumer.beside(client)
    number = await file_a_complaint(alice)
    listing = await alice.say("my complaints", message_id="m-1")
    assert number in str(listing)
    mallory = WebConsumer.beside(client)
    replayed = await mallory.say("hi", message_id="m-1")
    assert number not in str(replayed)
    assert replayed != listing


async def test_history_brings_back_this_consumers_exchange_in_order(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    alice = WebConsumer.beside(client)
    # Nothing said yet: the opening words (greeting and menu), which are not history.
    assert (await alice.history())[-1]["step"] == "start"
    said: list[str] = []
    for text in ["hi", "1"]:
        clock.advance(seconds=5)
        said.extend(r["text"] for r in await alice.say(text))
    clock.advance(seconds=5)
    await queue_notice(services, consumer_id(alice), "A notice from staff.")
    said.extend(r["text"] for r in await alice.notices())
    clock.advance(seconds=5)
    said.extend(r["text"] for r in await alice.say("help"))
    history = await alice.history()
    assert [r["text"] for r in history] == said
    # The newest question keeps its buttons and step, so the page can go on.
    clock.advance(seconds=5)
    last = (await alice.say("back"))[-1]
    assert (await alice.history())[-1] == last
    bob = WebConsumer.beside(client)
    await bob.say("hi")
    assert not set(r["text"] for r in await bob.history()) & {"A notice from staff."}
    assert len(await bob.history()) < len(await alice.history())
