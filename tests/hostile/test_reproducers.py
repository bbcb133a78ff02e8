"""One test per reported way a bad value turned into a 5xx or a lost message."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select

from storage.models import ComplaintEvent, ConversationRow, Evidence, Identity
from tests.adapters.telegram import updates
from tests.adapters.telegram.test_webhook import ANSWERS as TELEGRAM_ANSWERS
from tests.adapters.wechat.flow import walk_to
from tests.adapters.wechat.wire import WeChatServer, next_msg_id
from tests.hostile.conftest import Staff, row_counts
from tests.hostile.send import FORM, JSON, form_bytes, json_bytes, query, telegram, wechat

UID = 8_800_042


async def evidence_rows(services: Any) -> list[Evidence]:
    async with services.database.sessions() as session:
        return list(await session.scalars(select(Evidence).order_by(Evidence.id)))


async def state_of(services: Any, external_id: str) -> str | None:
    async with services.database.sessions() as session:
        state: str | None = await session.scalar(
            select(ConversationRow.state)
            .join(Identity, Identity.id == ConversationRow.identity_id)
            .where(Identity.external_id == external_id)
        )
    return state


async def test_a_telegram_document_with_an_overlong_name_and_type_is_recorded(
    client: httpx.AsyncClient, services: Any
) -> None:
    """242-character file_name, 120-character mime_type, NUL in the caption: was 503."""
    for text in TELEGRAM_ANSWERS:
        assert (await telegram(client, updates.text(UID, text))).status_code == 200
    assert await state_of(services, str(UID)) == "evidence"
    update = updates.text(UID, "")
    del update["message"]["text"]
    update["message"]["document"] = {
        "file_id": "BQACAgUAAxkBAAIBlong",
        "file_unique_id": "AgADlong",
        "file_name": "收据" * 121,
        "mime_type": "application/" + "x" * 108,
        "file_size": 1024,
    }
    update["message"]["caption"] = "receipt\x00 of\r\nthe fridge\x07"
    assert (await telegram(client, update)).status_code == 200
    (item,) = await evidence_rows(services)
    assert item.file_name is not None and len(item.file_name) == 200
    assert item.file_name == "收据" * 99 + "收…"
    assert item.mime is None  # not a MIME type: the worker sniffs the bytes
    assert item.caption == "receipt of\nthe fridge"


async def test_a_wechat_file_with_an_overlong_title_is_recorded(
    client: httpx.AsyncClient, services: Any
) -> None:
    wx = WeChatServer(client, "wx", now=lambda: 1763604000)
    user = "oHostileTitle000000000000001"
    await walk_to(wx, services, user, "evidence", first="hi")
    xml = (
        f"<xml><ToUserName><![CDATA[gh_weiquan]]></ToUserName><FromUserName><![CDATA[{user}]]>"
        f"</FromUserName><CreateTime>1763604000</CreateTime><MsgType><![CDATA[file]]></MsgType>"
        f"<Title><![CDATA[{'发票' * 150}.pdf]]></Title><MediaId><![CDATA[media_file_1]]></MediaId>"
        f"<MsgId>{next_msg_id()}</MsgId></xml>"
    )
    assert (await wechat(client, xml)).status_code == 200
    (item,) = await evidence_rows(services)
    assert item.file_name == "发票" * 99 + "发…"


async def test_a_nul_in_a_web_message_id_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, services: Any
) -> None:
    before = await row_counts(services)
    body = json_bytes({"user": "nul-id", "text": "hi", "message_id": "abc\x00"})
    refused = await client.post("/chat/messages", content=body, headers=JSON)
    assert refused.status_code == 422
    detail = "message_id: Value error, must not contain control characters"
    assert refused.json() == {"detail": detail}
    assert await row_counts(services) == before


async def test_a_nul_in_web_text_is_removed_and_the_message_answered(
    client: httpx.AsyncClient, services: Any
) -> None:
    body = json_bytes({"user": "nul-text", "text": "h\x00i\ud800", "lang": "en"})
    answered = await client.post("/chat/messages", content=body, headers=JSON)
    assert answered.status_code == 200
    assert (await row_counts(services))["processed_messages"] == 1


async def test_thousands_of_digits_at_a_choice_get_a_polite_reply(
    client: httpx.AsyncClient, services: Any
) -> None:
    """int() refuses more than 4,300 digits: the choice matcher raised (500)."""
    send = {"user": "digits", "text": "hi", "lang": "en"}
    menu = await client.post("/chat/messages", content=json_bytes(send), headers=JSON)
    assert menu.json()["replies"][-1]["step"] == "menu"
    for digits in ("9" * 4301, "９" * 4301, "1" * 5000):
        answered = await client.post(
            "/chat/messages", content=json_bytes({**send, "text": digits}), headers=JSON
        )
        assert answered.status_code == 200
        assert answered.json()["replies"][-1]["step"] == "menu"  # asked again
    assert (await row_counts(services))["processed_messages"] == 4


async def test_telegram_updates_no_bot_api_sends_are_refused_with_400(
    client: httpx.AsyncClient, services: Any
) -> None:
    date_1e20 = updates.text(UID, "hi")
    date_1e20["message"]["date"] = 1e20
    text_int = updates.text(UID, "hi")
    text_int["message"]["text"] = 123
    huge_chat = updates.text(UID, "hi")
    huge_chat["message"]["chat"]["id"] = 10**130
    huge_chat["message"]["from"]["id"] = 10**130
    bodies = {
        "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
        "update_id of 4,301 digits": b'{"update_id": ' + b"9" * 4301 + b', "message": {}}',
        "date 1e20": json.dumps(date_1e20).encode(),
        "text 123": json.dumps(text_int).encode(),
        "chat id of 131 digits": json.dumps(huge_chat).encode(),
        "date Infinity": json.dumps(updates.text(UID, "hi")).replace(
            str(updates.DATE), "Infinity"
        ).encode(),
    }
    before = await row_counts(services)
    for name, body in bodies.items():
        answered = await telegram(client, body)
        assert answered.status_code == 400, (name, answered.text)
        assert set(answered.json()) == {"detail"}
    assert await row_counts(services) == before


async def test_binary_and_non_utf8_bodies_get_a_4xx_without_echo(
    client: httpx.AsyncClient, services: Any
) -> None:
    """FastAPI's own 422 handler echoed the bytes and failed to encode them (500)."""
    before = await row_counts(services)
    for content_type in ("text/plain", "application/octet-stream", "application/json", ""):
        for body in (b"\xff\xfe\x00garbage", b'{"user": "u", "text": "\xff\xfegarbage"}'):
            answered = await client.post(
                "/chat/messages", content=body, headers={"Content-Type": content_type}
            )
            assert 400 <= answered.status_code < 500, (content_type, body, answered.text)
            detail = answered.json()["detail"]
            assert isinstance(detail, str) and "garbage" not in detail
    assert await row_counts(services) == before


async def test_staff_ids_beyond_the_integer_columns_are_422(
    client: httpx.AsyncClient, services: Any, staff: Staff
) -> None:
    """SQLite raised OverflowError (500), asyncpg refused the parameter (503)."""
    for big in (2**31, 2**63, 2**64 + 1):
        for url in (
            f"/api/v1/complaints/{staff.number}/evidence/{big}",
            f"/api/v1/outbox/{big}/retry",
        ):
            method = client.post if url.endswith("retry") else client.get
            answered = await method(url, headers=staff.bearer)
            assert answered.status_code == 422, (url, answered.text)
            assert answered.json()["detail"].startswith(("evidence_id:", "notice_id:"))
        page = await staff.console.get(f"/console/complaints/{staff.number}/evidence/{big}")
        assert page.status_code == 422


async def test_a_nul_in_staff_filters_and_forms_is_removed(
    client: httpx.AsyncClient, services: Any, staff: Staff
) -> None:
    """PostgreSQL refused the NUL (22021) and the request answered 503."""
    for params in ({"q": "Suning\x00"}, {"category": "appliances\x00"}, {"assignee": "\x00"}):
        listed = await client.get(f"/api/v1/complaints?{query(params)}", headers=staff.bearer)
        assert listed.status_code == 200, listed.text
    search = query({"q": "Sun\x00ing"})
    found = await client.get(f"/api/v1/complaints?{search}", headers=staff.bearer)
    assert [c["number"] for c in found.json()["items"]] == [staff.number]
    note = await client.post(
        f"/api/v1/complaints/{staff.number}/notes",
        content=json_bytes({"text": "called\x00 the shop\r\nno answer"}),
        headers={**staff.bearer, **JSON},
    )
    assert note.status_code == 201, note.text
    form = await staff.console.post(
        f"/console/complaints/{staff.number}/notes",
        content=form_bytes({"text": "second\x00 call", "csrf": staff.csrf}),
        headers=FORM,
    )
    assert form.status_code == 303, form.text
    async with services.database.sessions() as session:
        notes = list(
            await session.scalars(
                select(ComplaintEvent.note)
                .where(ComplaintEvent.kind == "note")
                .order_by(ComplaintEvent.id)
            )
        )
    assert notes == ["called the shop\nno answer", "second call"]
    refused = await client.post(
        "/api/v1/auth/token", content=form_bytes({"username": "admin\x00", "password": "x"}),
        headers=FORM,
    )
    assert refused.status_code == 401
