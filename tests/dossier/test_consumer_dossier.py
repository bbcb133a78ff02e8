"""Consumers ask for their dossier in the chat; only they (and their links) can fetch it."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from bots.services import Services
from dialogs.vocabulary import Platform
from storage import conversations
from tests.dossier.helpers import WebConsumer, case_with_pictures, evidence_hashes, pdf_text
from tests.staff.helpers import file_by_chat, sign_in


def link_in(replies: list[dict[str, object]]) -> str:
    links = [str(r["link"]) for r in replies if r.get("link")]
    assert len(links) == 1, replies
    return links[0]


async def identity_id(services: Services, consumer: WebConsumer) -> int:
    async with services.database.sessions() as session:
        found = await conversations.find_identity(
            session=session, platform=Platform.WEB.value, external_id=_user_of(consumer)
        )
    assert found is not None
    return found.id


def _user_of(consumer: WebConsumer) -> str:
    from bots.web.identity import read

    assert consumer.cookie is not None
    return read(consumer.cookie, "test-secret-key-test-secret-key").user_id


async def test_the_consumer_downloads_a_dossier_without_staff_only_data(
    client: httpx.AsyncClient, services: Services, tmp_path: Path
) -> None:
    alice = WebConsumer.beside(client)
    number = await case_with_pictures(alice)
    agent = await sign_in(client, services, "agent", "li")
    note = {"text": "rude shop"}
    await client.post(f"/api/v1/complaints/{number}/notes", headers=agent, json=note)
    await client.post(
        f"/api/v1/complaints/{number}/messages", headers=agent, json={"text": "Send the invoice"}
    )
    replies = await alice.say("dossier")
    link = link_in(replies)
    assert link == f"/chat/dossier/{number}.pdf" and link in replies[0]["text"]
    got = await alice.http.get(link)
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    text = pdf_text(got.content, tmp_path)
    assert number in text and "Send the invoice" in text
    for sha in await evidence_hashes(client, agent, number):
        assert sha in text
    for staff_only in ("rude shop", "staff:li", "张三", "13812345678", "****5678"):
        assert staff_only not in text


async def test_another_consumer_or_a_browser_without_cookie_gets_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    alice = WebConsumer.beside(client)
    bob = WebConsumer.beside(client)
    await file_by_chat(alice)
    await file_by_chat(bob)
    link = link_in(await alice.say("证据包"))
    stranger = await bob.http.get(link)
    assert stranger.status_code == 404
    assert "%PDF" not in stranger.text
    assert (await client.get(link)).status_code == 404  # no cookie at all
    async with WebConsumer.beside(client) as forger:
        forger.http.cookies.set("weiquan_chat", _user_of(alice))  # the id without a signature
        assert (await forger.http.get(link)).status_code == 404


async def test_the_newest_complaint_or_the_one_on_screen(
    client: httpx.AsyncClient, services: Services, clock: object
) -> None:
    alice = WebConsumer.beside(client)
    older = await file_by_chat(alice)
    clock.advance(hours=1)  # type: ignore[attr-defined]
    newer = await file_by_chat(alice)
    replies = await alice.say("dossier")
    assert link_in(replies) == f"/chat/dossier/{newer}.pdf"
    assert any("my complaints" in str(r["text"]) for r in replies)
    listed = await alice.say("my complaints")
    pick = next(c for r in listed for c in r["choices"] if older in c["label"])
    await alice.say(pick["id"])
    assert link_in(await alice.say("证据包")) == f"/chat/dossier/{older}.pdf"


async def test_a_consumer_with_no_complaint_is_told_so(client: httpx.AsyncClient) -> None:
    carol = WebConsumer.beside(client)
    replies = await carol.say("dossier")
    assert not any(r.get("link") for r in replies)
    assert any("no complaints yet" in str(r["text"]) for r in replies)


async def test_a_linked_identity_may_fetch_it(client: httpx.AsyncClient) -> None:
    alice = WebConsumer.beside(client)
    phone_browser = WebConsumer.beside(client)
    number = await file_by_chat(alice)
    code = re.search(r"\b(\d{6})\b", " ".join(str(r["text"]) for r in await alice.say("link")))
    assert code is not None
    await phone_browser.say(f"link {code.group(1)}")
    await phone_browser.say("yes")
    link = link_in(await phone_browser.say("dossier"))
    assert link == f"/chat/dossier/{number}.pdf"
    assert (await phone_browser.http.get(link)).status_code == 200


async def test_signed_links_work_for_24_hours_for_their_identity_only(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = WebConsumer.beside(client)
    bob = WebConsumer.beside(client)
    number = await file_by_chat(alice)
    await file_by_chat(bob)
    links = services.engine.runner.dossier_links
    alice_id, bob_id = await identity_id(services, alice), await identity_id(services, bob)
    url = links.signed_link(alice_id, number)
    path = url.removeprefix(services.settings.public_base_url)
    got = await client.get(path)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert (await client.get(f"/chat/dossier/link/{tampered}")).status_code == 404
    # Bob's own valid link does not reach Alice's complaint.
    bobs = links.signed_link(bob_id, number).removeprefix(services.settings.public_base_url)
    assert (await client.get(bobs)).status_code == 404
    real = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real() - 24 * 3600 - 60)
    stale = links.signed_link(alice_id, number).removeprefix(services.settings.public_base_url)
    monkeypatch.undo()
    assert (await client.get(stale)).status_code == 404
