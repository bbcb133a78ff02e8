"""Cases as conversations on the staff side, on SQLite and PostgreSQL.

Consumers talk through the engine (each its own platform identity); staff use the API
and the console over HTTP.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import select

from bots.services import Services
from dialogs.command_results import Done, Refused
from dialogs.commands import SendCaseMessage
from storage.models import CaseMessage, CaseRequest, ConversationRow, Identity, OutboxNotice
from tests.bots.test_engine import sender
from tests.bots.test_my_complaints import file_one
from tests.staff.helpers import PASSWORD, WebConsumer, file_by_chat, sign_in


async def ask_and_answer(
    client: httpx.AsyncClient, services: Services, headers: dict[str, str], user: str, text: str
) -> str:
    """A consumer files, staff ask something, the consumer answers; the number."""
    number = await file_one(services, user)
    sent = await client.post(
        f"/api/v1/complaints/{number}/messages", headers=headers, json={"text": "Any receipt?"}
    )
    assert sent.status_code == 202, sent.text
    replies = await sender(services, user)(text)
    assert f"Sent to the handler of complaint {number}." in [r["text"] for r in replies]
    return number


async def unread_numbers(client: httpx.AsyncClient, headers: dict[str, str], flag: str) -> set[str]:
    listed = await client.get("/api/v1/complaints", params={"unread": flag}, headers=headers)
    assert listed.status_code == 200, listed.text
    return {item["number"] for item in listed.json()["items"]}


async def test_unread_until_the_assignee_opens_the_case(
    client: httpx.AsyncClient, services: Services
) -> None:
    boss = await sign_in(client, services, "supervisor", "boss")
    li = await sign_in(client, services, "agent", "li")
    answered = await ask_and_answer(client, services, boss, "ann", "I paid by card.")
    quiet = await file_one(services, "ben")
    assert await unread_numbers(client, boss, "true") == {answered}
    assert await unread_numbers(client, boss, "false") == {quiet}
    items = (await client.get("/api/v1/complaints", headers=boss)).json()["items"]
    assert {i["number"]: i["unread_messages"] for i in items} == {answered: 1, quiet: 0}
    await client.post(
        f"/api/v1/complaints/{answered}/assign", headers=boss, json={"assignee": "li"}
    )
    # Someone else looking does not read it for the assignee.
    seen = (await client.get(f"/api/v1/complaints/{answered}", headers=boss)).json()
    assert seen["unread_messages"] == 1 and seen["conversation"][-1]["unread"] is True
    assert await unread_numbers(client, boss, "true") == {answered}
    opened = (await client.get(f"/api/v1/complaints/{answered}", headers=li)).json()
    assert opened["unread_messages"] == 1
    assert await unread_numbers(client, li, "true") == set()
    again = (await client.get(f"/api/v1/complaints/{answered}", headers=li)).json()
    assert again["unread_messages"] == 0
    assert [e["text"] for e in again["timeline"] if e["kind"] == "consumer_message"] == [
        "I paid by card."
    ]
    bad = await client.get("/api/v1/complaints", params={"unread": "maybe"}, headers=li)
    assert bad.status_code == 422


async def test_the_console_shows_the_conversation_with_a_reply_box(
    client: httpx.AsyncClient, services: Services
) -> None:
    agent = await sign_in(client, services, "agent", "ag")
    number = await ask_and_answer(client, services, agent, "cat", "<b>I kept the box</b>")
    login = await client.get("/console/login?lang=en")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token
    await client.post(
        "/console/login", data={"username": "ag", "password": PASSWORD, "csrf": token.group(1)}
    )
    listed = await client.get("/console/complaints?unread=true&lang=en")
    assert listed.status_code == 200 and number in listed.text
    page = await client.get(f"/console/complaints/{number}?lang=en")
    assert page.status_code == 200
    talk = page.text[page.text.index('class="talk"') : page.text.index('class="reply-box"')]
    assert talk.index("Any receipt?") < talk.index("&lt;b&gt;I kept the box&lt;/b&gt;")
    assert "Staff · ag" in talk and "Consumer" in talk and "1 new" in page.text
    assert f'action="/console/complaints/{number}/messages" class="reply-box"' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    reply = await client.post(
        f"/console/complaints/{number}/messages",
        data={"text": "Thanks, we will ask the shop.", "csrf": csrf.group(1)},
    )
    assert reply.status_code == 303
    page = await client.get(f"/console/complaints/{number}?lang=en")
    assert "Thanks, we will ask the shop." in page.text and "1 new" not in page.text
    listed = await client.get("/console/complaints?unread=true&lang=en")
    assert number not in listed.text


async def test_requests_are_rows_answered_or_withdrawn(
    client: httpx.AsyncClient, services: Services
) -> None:
    agent = await sign_in(client, services, "agent")
    number = await file_one(services, "dan")
    other = await file_one(services, "eve")
    asked = await client.post(
        f"/api/v1/complaints/{number}/request-evidence", headers=agent,
        json={"note": "Please send the invoice."},
    )  # fmt: skip
    assert asked.status_code == 202
    again = await client.post(f"/api/v1/complaints/{number}/request-evidence", headers=agent)
    assert again.status_code == 202
    requests = (await client.get(f"/api/v1/complaints/{number}", headers=agent)).json()["requests"]
    assert [(r["kind"], r["status"], r["note"]) for r in requests] == [
        ("evidence", "open", "Please send the invoice.")
    ]
    rid = requests[0]["id"]
    # Another complaint's number never reaches this request; unknown ids are 404.
    wrong = await client.post(f"/api/v1/complaints/{other}/requests/{rid}/withdraw", headers=agent)
    assert wrong.status_code == 404
    assert (
        await client.post(f"/api/v1/complaints/{number}/requests/999/withdraw", headers=agent)
    ).status_code == 404
    assert (
        await client.post(f"/api/v1/complaints/{number}/requests/{rid}/withdraw")
    ).status_code == 401
    done = await client.post(f"/api/v1/complaints/{number}/requests/{rid}/withdraw", headers=agent)
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    twice = await client.post(f"/api/v1/complaints/{number}/requests/{rid}/withdraw", headers=agent)
    assert twice.status_code == 409
    async with services.database.sessions() as session:
        identity = await session.scalar(select(Identity).where(Identity.external_id == "dan"))
        assert identity is not None
        conv = await session.get_one(ConversationRow, identity.id)
        told = (
            await session.scalars(
                select(OutboxNotice).where(OutboxNotice.kind == "request_withdrawn")
            )
        ).one()
    assert conv.state == "menu" and services.cipher.unseal(conv.answers)["requests"] == []
    assert (
        f"The request about complaint {number} was withdrawn" in told.payload["replies"][0]["text"]
    )
    replies = await sender(services, "dan")("hi")
    assert "open request" not in " ".join(r["text"] for r in replies)


async def test_a_rating_request_opens_on_resolution_and_ends_with_the_rating(
    client: httpx.AsyncClient, services: Services
) -> None:
    agent = await sign_in(client, services, "agent")
    number = await file_one(services, "fay")
    for status in ("accepted", "resolved"):
        moved = await client.post(
            f"/api/v1/complaints/{number}/status", headers=agent, json={"status": status}
        )
        assert moved.status_code == 200, moved.text
    send = sender(services, "fay")
    greeted = await send("hi")  # the rating question survives the greeting
    assert f"rate the handling of complaint {number}" in " ".join(r["text"] for r in greeted)
    assert greeted[-1]["step"] == "rating"
    await send("4")
    await send("skip")
    async with services.database.sessions() as session:
        request = (await session.scalars(select(CaseRequest))).one()
    assert (request.kind, request.status) == ("rating", "answered")


async def test_closing_a_case_ends_its_evidence_requests(
    client: httpx.AsyncClient, services: Services
) -> None:
    agent = await sign_in(client, services, "agent")
    number = await file_one(services, "gil")
    await client.post(f"/api/v1/complaints/{number}/request-evidence", headers=agent, json={})
    for status, note in (("rejected", "Not within our remit."), ("closed", None)):
        reason = "outside_remit" if status == "rejected" else None
        moved = await client.post(
            f"/api/v1/complaints/{number}/status", headers=agent,
            json={"status": status, "note": note, "reason": reason},
        )  # fmt: skip
        assert moved.status_code == 200, moved.text
    async with services.database.sessions() as session:
        statuses = {(r.kind, r.status) for r in (await session.scalars(select(CaseRequest)))}
    assert ("evidence", "withdrawn") in statuses
    replies = await sender(services, "gil")("menu")
    assert "send more evidence" not in " ".join(r["text"] for r in replies)
    refused = await sender(services, "gil")("reply")
    assert "reply" not in [c["id"] for r in refused for c in r.get("choices", [])]


async def test_a_consumer_cannot_write_into_another_consumers_case(services: Services) -> None:
    number = await file_one(services, "hal")
    await sender(services, "ivy")("hi")
    async with services.database.transaction() as session:
        intruder = await session.scalar(select(Identity).where(Identity.external_id == "ivy"))
        owner = await session.scalar(select(Identity).where(Identity.external_id == "hal"))
        assert intruder is not None and owner is not None
        now = services.now()
        run = services.engine.runner.run
        assert await run(session, intruder, SendCaseMessage(number, "let me in"), now) == Refused(
            "not_found"
        )
        assert await run(session, owner, SendCaseMessage(number, "mine"), now) == Done()
        assert await run(session, owner, SendCaseMessage("20990101000001", "x"), now) == Refused(
            "not_found"
        )
    async with services.database.sessions() as session:
        rows: list[Any] = list(await session.scalars(select(CaseMessage)))
    assert [r.identity_id for r in rows] == [owner.id]


async def test_an_evidence_request_survives_the_chat_page_reload(
    client: httpx.AsyncClient, services: Services
) -> None:
    kim = WebConsumer(client)  # the ``client`` fixture is kim's browser
    number = await file_by_chat(kim)
    agent = await sign_in(client, services, "agent")
    await client.post(
        f"/api/v1/complaints/{number}/request-evidence", headers=agent,
        json={"note": "Please send the invoice."},
    )  # fmt: skip
    await kim.say("my complaints")  # any other dialog meanwhile
    reloaded = await kim.say("hi")  # what the page sends when it is (re)loaded
    texts = " ".join(r["text"] for r in reloaded)
    assert f"You have 1 open request: complaint {number}: Please send the invoice." in texts
    await kim.upload(name="invoice.png")
    detail = (await client.get(f"/api/v1/complaints/{number}", headers=agent)).json()
    assert len(detail["evidence"]) == 1
    assert [r["status"] for r in detail["requests"]] == ["answered"]
