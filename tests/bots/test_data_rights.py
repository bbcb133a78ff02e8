"""Data rights end to end on SQLite and PostgreSQL: export, erasure, consent, retention."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from sqlalchemy import select

from bots.delivery.background import privacy_upkeep_once
from bots.services import Services
from dialogs.events import MediaKind, MediaMessage
from dialogs.vocabulary import Platform
from storage import consents, evidence, links, my_data
from storage.models import AuditEntry, Complaint, Consent, Identity
from tests.bots.privacy_scan import places_holding, values_holding
from tests.bots.test_linking import TG, WEB, WEB2, file_one, get_code, said, sender
from tests.conftest import Clock
from tests.staff.helpers import file_by_chat, sign_in
from tests.support.driver import COMPLAINT, filed, question, walk
from tests.support.web_consumer import PNG, WebConsumer

PHONE = "13812345678"
NAME = "张三"
OTHER_PHONE = "13900001111"
SOMEONE_ELSE = {
    "contact_phone": OTHER_PHONE, "contact_name": "李四",
    "description": "The washing machine leaks water since the first wash.",
}


async def identity_of(services: Services, who: tuple[Platform, str]) -> Identity:
    async with services.database.sessions() as session:
        found = await session.scalar(
            select(Identity).where(Identity.platform == who[0], Identity.external_id == who[1])
        )
    assert found is not None
    return found


async def link(services: Services, a: tuple[Platform, str], b: tuple[Platform, str]) -> None:
    code = await get_code(services, a)
    await sender(services, b)(f"link {code}")
    assert "linked" in said(await sender(services, b)("yes")).lower()


async def complaint(services: Services, number: str) -> Complaint:
    async with services.database.sessions() as session:
        found = await session.scalar(select(Complaint).where(Complaint.number == number))
    assert found is not None
    return found


# --------------------------------------------------------------------------- export


async def test_export_holds_every_complaint_of_the_linked_consumer_and_nothing_else(
    services: Services,
) -> None:
    on_telegram = await file_one(services, TG)
    on_web = await file_one(services, WEB)
    await link(services, TG, WEB)
    someone_else = await walk(
        sender(services, WEB2),
        {**COMPLAINT, "contact_phone": OTHER_PHONE, "merchant_name": "Other Shop Ltd"},
        until=lambda r: filed(r) is not None,
    )
    assert someone_else

    replies = await sender(services, TG)("my data")
    assert [r.get("attachment") for r in replies].count("my_data") == 1
    assert "Complaints: 2" in replies[0]["text"]
    assert on_telegram in replies[0]["text"] and on_web in replies[0]["text"]

    tg = await identity_of(services, TG)
    async with services.database.sessions() as session:
        document = await my_data.export(
            session=session, cipher=services.cipher, identity_id=tg.id, now=services.now()
        )
    body = my_data.to_json(document).decode("utf-8")
    assert {c["number"] for c in document["complaints"]} == {on_telegram, on_web}
    assert {i["platform"] for i in document["identities"]} == {"telegram", "web"}
    assert {c["contact_phone"] for c in document["complaints"]} == {"+86" + PHONE}
    assert [c["complaint"] for c in document["consents"]] == [on_telegram, on_web]
    assert all(c["timeline"][0]["to"] == "submitted" for c in document["complaints"])
    assert document["messages"]["replies_sent_to_you"]
    assert OTHER_PHONE not in body and "Other Shop" not in body and WEB2[1] not in body


async def test_web_download_is_the_cookie_consumer_s_own(client: httpx.AsyncClient) -> None:
    async with WebConsumer.beside(client) as alice, WebConsumer.beside(client) as bob:
        number = await file_by_chat(alice)
        replies = await alice.say("my data")
        assert [r.get("download") for r in replies if r.get("download")] == [
            "/chat/my-data.json"
        ]
        mine = await alice.http.get("/chat/my-data.json")
        assert mine.status_code == 200
        assert "attachment" in mine.headers["content-disposition"]
        assert mine.headers["cache-control"] == "no-store"
        assert [c["number"] for c in mine.json()["complaints"]] == [number]

        assert (await bob.http.get("/chat/my-data.json")).status_code == 404
        await bob.say("hi")
        theirs = await bob.http.get("/chat/my-data.json")
        assert theirs.status_code == 200
        assert theirs.json()["complaints"] == [] and number not in theirs.text
        assert PHONE not in theirs.text


async def test_wechat_gets_a_signed_link_valid_for_a_day(
    services: Services, client: httpx.AsyncClient, clock: Clock
) -> None:
    wx = (Platform.WECHAT, "oWx-data-1")
    number = await file_one(services, wx)
    replies = await sender(services, wx)("我的数据")
    text = said(replies)
    start = text.index("http://127.0.0.1:8000/my-data/")
    url = text[start:].split()[0]
    path = url.removeprefix("http://127.0.0.1:8000")
    page = await client.get(path)
    assert page.status_code == 200 and number in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in page.text.lower()
    download = await client.get(path, params={"download": "1"})
    assert [c["number"] for c in download.json()["complaints"]] == [number]

    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (await client.get(f"/my-data/{tampered}")).status_code == 403
    assert (await client.get("/my-data/" + "x" * 40)).status_code == 403
    # Signed for another identity by someone who knows only the URL shape: refused.
    forged = token.replace(token.split(".")[0], "WzEsIDk5OTk5OTk5OTld")
    assert (await client.get(f"/my-data/{forged}")).status_code == 403

    clock.advance(hours=24, seconds=1)
    assert (await client.get(path)).status_code == 404


# --------------------------------------------------------------------------- erasure


async def _attach_photo(services: Services, who: tuple[Platform, str], number: str) -> str:
    blob = services.blobs.put(PNG)
    identity = await identity_of(services, who)
    found = await complaint(services, number)
    async with services.database.transaction() as session:
        await evidence.record(
            session=session,
            identity=identity,
            media=MediaMessage(
                platform=who[0], user_id=who[1], message_id="photo-1",
                received_at=services.now(), kind=MediaKind.PHOTO, blob_key=blob.key,
                sha256=blob.sha256, size=blob.size, mime=blob.mime,
                caption=f"receipt, call me on {PHONE}",
            ),
            complaint_id=found.id, max_files=9, max_bytes=10**7, now=services.now(),
        )
    return blob.key


async def test_after_erasure_nothing_of_the_consumer_is_left_anywhere(
    services: Services, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the production level (WEIQUAN_LOG_LEVEL)
    staff = await sign_in(client, services, "supervisor")
    closed = await file_one(services, TG)
    still_open = await file_one(services, WEB)
    await link(services, TG, WEB)
    other = await walk(
        sender(services, WEB2), {**COMPLAINT, **SOMEONE_ELSE},
        until=lambda r: filed(r) is not None,
    )
    assert other
    key = await _attach_photo(services, TG, closed)
    for number in (closed, still_open):
        sent = await client.post(
            f"/api/v1/complaints/{number}/messages", headers=staff,
            json={"text": f"We will call you on {PHONE}, {NAME}."},
        )
        assert sent.status_code == 202, sent.text
    # The consumer answers in the reply window: a case message holding the phone.
    answered = said(await sender(services, TG)(f"Call me on {PHONE}, please."))
    assert closed in answered
    moved = await client.post(
        f"/api/v1/complaints/{closed}/status", headers=staff,
        json={"status": "rejected", "reason": "outside_remit", "note": f"Not our remit, {NAME}"},
    )
    assert moved.status_code == 200, moved.text
    assert (await client.post(
        f"/api/v1/complaints/{closed}/status", headers=staff, json={"status": "closed"}
    )).status_code == 200
    # A draft in progress, holding the phone number.
    drafting = sender(services, TG)
    await walk(
        drafting, COMPLAINT, until=lambda r: (question(r) or {}).get("step") == "consent_share"
    )
    assert await places_holding(services, PHONE)

    asked = await drafting("delete my data")
    assert asked[-1]["step"] == "delete_confirm"
    told = said(await drafting("yes"))
    assert "Erased" in told and still_open in told and "statistics" in told
    await privacy_upkeep_once(services)
    assert not services.blobs.exists(key)

    # The open case keeps what the handler needs until it closes …
    assert (await complaint(services, still_open)).contact_phone_enc is not None
    assert (await complaint(services, still_open)).erase_on_close
    for status in ("rejected", "closed"):
        answer = await client.post(
            f"/api/v1/complaints/{still_open}/status", headers=staff,
            json={"status": status, "note": f"Closing, {NAME} ({PHONE})",
                  **({"reason": "other"} if status == "rejected" else {})},
        )
        assert answer.status_code == 200, answer.text
    # … and is erased in the transaction that closes it.
    anonymous = await complaint(services, still_open)
    assert anonymous.anonymised_at is not None and anonymous.contact_phone_enc is None
    assert anonymous.merchant_name and anonymous.amount and anonymous.category

    left = await values_holding(services, PHONE, NAME, "The fridge stopped")
    assert left == []
    # The other consumer's data is untouched.
    assert "complaints.contact_phone_enc" in await places_holding(services, OTHER_PHONE)
    assert "processed_messages.replies" in await places_holding(services, "李四")
    logged = "\n".join(str(r.__dict__) for r in caplog.records)
    assert PHONE not in logged and NAME not in logged
    async with services.database.sessions() as session:
        actions = [a.action for a in await session.scalars(select(AuditEntry))]
    assert "consumer.erase" in actions and actions.count("complaint.anonymise") == 2


# --------------------------------------------------------------------------- consent


async def test_withdrawing_consent_stops_sharing_from_then_on(services: Services) -> None:
    first = await file_one(services, WEB)
    second = await file_one(services, WEB)
    a, b = await complaint(services, first), await complaint(services, second)
    async with services.database.sessions() as session:
        assert await consents.contact_shared_with_merchant(session=session, complaint_id=a.id)
    send = sender(services, WEB)
    asked = await send("withdraw consent")
    assert [c["id"] for c in asked[-1]["choices"]] == [first, second]
    assert second in said(await send(second))
    async with services.database.sessions() as session:
        assert await consents.contact_shared_with_merchant(session=session, complaint_id=a.id)
        assert not await consents.contact_shared_with_merchant(
            session=session, complaint_id=b.id
        )
        rows = list(await session.scalars(select(Consent).order_by(Consent.id)))
    assert [r.withdrawn_at is not None for r in rows] == [False, True]
    # The export shows consents given and withdrawn.
    replies = await send("my data")
    assert "2 given, 1 of them withdrawn" in replies[0]["text"]


# --------------------------------------------------------------------------- retention


async def test_retention_spares_a_held_case_and_anonymises_an_old_one(
    services: Services, client: httpx.AsyncClient, clock: Clock
) -> None:
    supervisor = await sign_in(client, services, "supervisor")
    agent = await sign_in(client, services, "agent")
    old = await file_one(services, WEB)
    held = await file_one(services, WEB)
    for number in (old, held):
        answer = await client.post(
            f"/api/v1/complaints/{number}/status", headers=supervisor,
            json={"status": "withdrawn"},
        )
        assert answer.status_code == 200, answer.text
    refused = await client.post(
        f"/api/v1/complaints/{held}/legal-hold", headers=agent,
        json={"hold": True, "note": "court case 2026-17"},
    )
    assert refused.status_code == 403
    assert (await client.post(
        f"/api/v1/complaints/{held}/legal-hold", headers=supervisor, json={"hold": True}
    )).status_code == 422
    placed = await client.post(
        f"/api/v1/complaints/{held}/legal-hold", headers=supervisor,
        json={"hold": True, "note": "court case 2026-17"},
    )
    assert placed.status_code == 200 and placed.json()["legal_hold"] is True
    shown = (await client.get(f"/api/v1/complaints/{held}", headers=agent)).json()
    assert shown["legal_hold"] is True and shown["legal_hold_note"] == "court case 2026-17"
    assert (await client.post(
        "/api/v1/complaints/20990101000001/legal-hold", headers=supervisor,
        json={"hold": True, "note": "x"},
    )).status_code == 404

    clock.advance(days=3 * 365 - 2)
    await privacy_upkeep_once(services)
    assert (await complaint(services, old)).anonymised_at is None  # not yet three years

    clock.advance(days=4)  # three calendar years (one of them leap) and a day
    await privacy_upkeep_once(services)
    gone, kept = await complaint(services, old), await complaint(services, held)
    assert gone.anonymised_at is not None and gone.contact_phone_enc is None
    assert gone.description == "" and gone.status == "withdrawn" and gone.amount
    assert kept.anonymised_at is None and kept.contact_phone_enc is not None
    async with services.database.sessions() as session:
        entries = {
            (a.action, a.target): a.detail for a in await session.scalars(select(AuditEntry))
        }
    assert entries[("complaint.legal_hold", held)] == {"hold": True, "note": "court case 2026-17"}
    assert entries[("complaint.anonymise", old)]["reason"] == "retention"


async def test_links_group_members_cover_export_only_after_linking(services: Services) -> None:
    await file_one(services, TG)
    web_number = await file_one(services, WEB)
    tg = await identity_of(services, TG)
    async with services.database.sessions() as session:
        alone = await my_data.export(
            session=session, cipher=services.cipher, identity_id=tg.id, now=services.now()
        )
        assert web_number not in json.dumps(alone, default=str)
        assert await links.group_members(session=session, identity_id=tg.id) == [tg.id]
