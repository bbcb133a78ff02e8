"""The hostile corpus posted to every endpoint, on SQLite and PostgreSQL.

No answer is a 5xx; a refused request writes no row; a consumer's message that is
answered 2xx is recorded (a bad value never loses a message).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx

from tests.hostile import corpus
from tests.hostile.conftest import TELEGRAM_SECRET, Staff
from tests.hostile.send import (
    FORM,
    JSON,
    Ledger,
    cdata,
    form_bytes,
    json_bytes,
    query,
    telegram,
    wechat,
)
from tests.support.driver import COMPLAINT, answer_for, filed, question

Consumer = Callable[[], httpx.AsyncClient]


async def test_real_telegram_updates_of_every_kind(client: httpx.AsyncClient, services: Any) -> None:
    ledger = Ledger(services)
    for name, update in corpus.telegram_updates().items():
        response = await ledger.check(name, lambda u=update: telegram(client, u))
        if response.status_code != 200:
            ledger.failures.append(f"{name}: a real update answered {response.status_code}")
    ledger.assert_clean()


async def test_real_wechat_messages_and_events_of_every_type(
    client: httpx.AsyncClient, services: Any
) -> None:
    ledger = Ledger(services)
    for name, xml in corpus.wechat_messages().items():
        response = await ledger.check(name, lambda x=xml: wechat(client, x))
        if response.status_code != 200:
            ledger.failures.append(f"{name}: a real message answered {response.status_code}")
    ledger.assert_clean()


def _json_endpoints(staff: Staff) -> list[tuple[str, str, dict[str, str]]]:
    """(label, path, headers) of every endpoint that reads a JSON body."""
    n, bearer = staff.number, staff.bearer
    return [
        ("web chat", "/chat/messages", {}),
        ("telegram", "/webhooks/telegram", {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}),
        ("status", f"/api/v1/complaints/{n}/status", bearer),
        ("notes", f"/api/v1/complaints/{n}/notes", bearer),
        ("messages", f"/api/v1/complaints/{n}/messages", bearer),
        ("assign", f"/api/v1/complaints/{n}/assign", bearer),
        ("request-evidence", f"/api/v1/complaints/{n}/request-evidence", bearer),
        ("bulk", "/api/v1/notices/bulk", bearer),
        ("new staff", "/api/v1/staff", bearer),
    ]  # fmt: skip


async def test_raw_bodies_on_every_json_endpoint(
    client: httpx.AsyncClient, services: Any, staff: Staff
) -> None:
    ledger = Ledger(services)
    types = ["application/json", "text/plain", "application/octet-stream"]
    for label, path, headers in _json_endpoints(staff):
        for name, body in corpus.bodies().items():
            for content_type in types:
                await ledger.check(
                    f"{label} {name} as {content_type}",
                    lambda p=path, b=body, h=headers, c=content_type: client.post(
                        p, content=b, headers={**h, "Content-Type": c}
                    ),
                )
    # The WeChat webhook reads XML: the same bodies, signed.
    for name, body in corpus.bodies().items():
        await ledger.check(f"wechat {name}", lambda b=body: wechat(client, b))
    ledger.assert_clean()


async def test_hostile_strings_at_every_step_of_the_web_chat(
    services: Any, consumer: Consumer
) -> None:
    """Each hostile value is sent at every question; the valid answer follows."""
    ledger = Ledger(services)
    sent = 0
    async with consumer() as http:

        async def post(text: str) -> httpx.Response:
            return await http.post(
                "/chat/messages",
                content=json_bytes({"user": "hostile-walker", "text": text, "lang": "en"}),
                headers=JSON,
            )

        response = await post("hi")
        sent += 1
        for _ in range(40):
            replies = response.json()["replies"]
            if filed(replies):
                break
            asked = question(replies)
            assert asked is not None, replies
            for name, value in corpus.strings().items():
                response = await ledger.check(
                    f"{asked['step']} {name}", lambda v=value: post(v), message=True
                )
                sent += 1
                if response.status_code != 200:
                    continue
                now = question(response.json()["replies"])
                if now is None or now["step"] != asked["step"]:
                    break  # the value was a valid answer: answer the new question
            else:
                response = await post(answer_for(asked, COMPLAINT))
                sent += 1
        assert filed(response.json()["replies"]), "the complaint was not filed"
    ledger.assert_clean()


async def test_hostile_strings_in_every_web_chat_field(
    services: Any, consumer: Consumer
) -> None:
    ledger = Ledger(services)
    fields = ["text", "message_id", "choice", "step", "lang"]
    for index, (name, value) in enumerate(corpus.strings().items()):
        async with consumer() as http:
            user = f"hostile-field-{index}"
            for key in fields:
                body = {"user": user, "text": "hi", key: value}
                await ledger.check(
                    f"web {key} {name}",
                    lambda b=body: http.post("/chat/messages", content=json_bytes(b), headers=JSON),
                    message=True,
                )
            await ledger.check(
                f"upload name {name}",
                lambda: http.post(
                    "/chat/uploads",
                    data={"user": user},
                    files={"file": (value.encode("utf-8", "surrogatepass").decode("utf-8", "replace"), b"%PDF-1.4\n%%EOF\n", "application/pdf")},
                ),
            )
            await ledger.check(
                f"upload message_id {name}",
                lambda: http.post(
                    "/chat/uploads",
                    content=_multipart(user, value),
                    headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
                ),
            )
            await ledger.check(
                f"notices {name}", lambda: http.get("/chat/notices?" + query({"user": value}))
            )
    ledger.assert_clean()


BOUNDARY = "hostileboundary"


def _multipart(user: str, message_id: str) -> bytes:
    parts = [
        (b'name="user"', user.encode()),
        (b'name="message_id"', message_id.encode("utf-8", "surrogatepass")),
        (b'name="file"; filename="r.pdf"\r\nContent-Type: application/pdf', b"%PDF-1.4\n%%EOF\n"),
    ]
    out = b""
    for head, value in parts:
        out += b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-data; " + head
        out += b"\r\n\r\n" + value + b"\r\n"
    return out + b"--" + BOUNDARY.encode() + b"--\r\n"


# Where a hostile value goes in a real Telegram update: (update kind, path of keys).
TELEGRAM_FIELDS = [
    ("text", ("message", "text")),
    ("photo_with_caption", ("message", "caption")),
    ("document", ("message", "document", "file_name")),
    ("document", ("message", "document", "mime_type")),
    ("document", ("message", "document", "file_id")),
    ("audio", ("message", "audio", "file_name")),
    ("video", ("message", "video", "mime_type")),
    ("venue", ("message", "venue", "address")),
    ("contact_own", ("message", "contact", "phone_number")),
    ("contact_own", ("message", "contact", "first_name")),
    ("callback_query", ("callback_query", "data")),
    ("text", ("message", "from", "language_code")),
    ("text", ("message", "chat", "username")),
]


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


async def test_hostile_values_in_telegram_updates(client: httpx.AsyncClient, services: Any) -> None:
    ledger = Ledger(services)
    updates = corpus.telegram_updates()
    next_id = 950_000_000
    for name, value in corpus.strings().items():
        for kind, path in TELEGRAM_FIELDS:
            update = copy.deepcopy(updates[kind])
            next_id += 1
            update["update_id"] = next_id
            _set(update, path, value)
            await ledger.check(
                f"telegram {kind} {'.'.join(path)} {name}",
                lambda u=update: telegram(client, u),
                message=True,
            )
    ledger.assert_clean()


# Where a hostile value goes in a real WeChat message: (message, field).
WECHAT_FIELDS = [
    ("text", "Content"),
    ("file", "Title"),
    ("location", "Label"),
    ("link", "Title"),
    ("link", "Url"),
    ("voice_recognised", "Recognition"),
    ("event_click", "EventKey"),
    ("event_subscribe_qrscene", "EventKey"),
    ("image", "MediaId"),
    ("text", "FromUserName"),
    ("text", "MsgId"),
    ("text", "CreateTime"),
    ("location", "Location_X"),
]


async def test_hostile_values_in_wechat_messages(client: httpx.AsyncClient, services: Any) -> None:
    import re

    ledger = Ledger(services)
    messages = corpus.wechat_messages()
    for index, (name, value) in enumerate(corpus.strings().items()):
        for kind, tag in WECHAT_FIELDS:
            xml = messages[kind]
            if tag != "MsgId":
                xml = re.sub(r"<MsgId>\d+</MsgId>", f"<MsgId>{7_100_000_000 + index}{len(tag)}</MsgId>", xml)
            xml = re.sub(
                rf"<{tag}>.*?</{tag}>", lambda _m, t=tag: f"<{t}>{cdata(value)}</{t}>", xml, count=1
            )
            await ledger.check(f"wechat {kind} {tag} {name}", lambda x=xml: wechat(client, x))
    ledger.assert_clean()


async def test_hostile_values_in_the_staff_api(
    client: httpx.AsyncClient, services: Any, staff: Staff
) -> None:
    ledger = Ledger(services)
    n, bearer = staff.number, staff.bearer
    for name, value in corpus.strings().items():
        for key in ("q", "category", "assignee", "status", "filed_from", "sort", "page"):
            for path in ("/api/v1/complaints", "/api/v1/statistics", "/api/v1/complaints.csv"):
                await ledger.check(
                    f"{path}?{key}= {name}",
                    lambda p=path, k=key: client.get(f"{p}?{query({k: value})}", headers=bearer),
                )
        posts: list[tuple[str, dict[str, Any]]] = [
            (f"/api/v1/complaints/{n}/status", {"status": value, "note": value}),
            (f"/api/v1/complaints/{n}/status", {"status": "accepted", "note": value, "notify": False}),
            (f"/api/v1/complaints/{n}/notes", {"text": value}),
            (f"/api/v1/complaints/{n}/messages", {"text": value}),
            (f"/api/v1/complaints/{n}/assign", {"assignee": value}),
            (f"/api/v1/complaints/{n}/request-evidence", {"note": value}),
            ("/api/v1/notices/bulk", {"text": value, "filter": {"q": value, "category": value}}),
            ("/api/v1/staff", {"username": value, "role": "agent", "password": "long enough password"}),
            ("/api/v1/staff", {"username": "ok-name", "role": value, "password": value}),
        ]  # fmt: skip
        for path, body in posts:
            await ledger.check(
                f"POST {path} {sorted(body)} {name}",
                lambda p=path, b=body: client.post(
                    p, content=json_bytes(b), headers={**bearer, **JSON}
                ),
            )
        for path in (f"/api/v1/complaints/{{}}", "/api/v1/complaints/{}/evidence/1", "/api/v1/complaints/{}/contact"):
            segment = query({"x": value})[2:] or "%20"
            await ledger.check(
                f"GET {path} {name}", lambda p=path, s=segment: client.get(p.format(s), headers=bearer)
            )
        await ledger.check(
            f"token {name}",
            lambda: client.post(
                "/api/v1/auth/token",
                content=form_bytes({"username": value, "password": value}),
                headers=FORM,
            ),
        )
    for number in ("9" * 30, "-1", "0", str(2**31), str(2**63), str(2**64 + 1), "1e3", "9" * 5000):
        for path in ("/api/v1/complaints/{n}/evidence/{i}", "/console/complaints/{n}/evidence/{i}"):
            url = path.format(n=n, i=number)
            await ledger.check(f"GET {url[:60]}", lambda u=url: staff_get(client, staff, u))
        await ledger.check(
            f"retry {number[:20]}",
            lambda num=number: client.post(f"/api/v1/outbox/{num}/retry", headers=bearer),
        )
    ledger.assert_clean()


async def staff_get(client: httpx.AsyncClient, staff: Staff, url: str) -> httpx.Response:
    if url.startswith("/console"):
        return await staff.console.get(url)
    return await client.get(url, headers=staff.bearer)


async def test_hostile_values_in_console_forms(
    client: httpx.AsyncClient, services: Any, staff: Staff
) -> None:
    ledger = Ledger(services)
    console, n = staff.console, staff.number
    for name, value in corpus.strings().items():
        forms = [
            (f"/console/complaints/{n}/notes", {"text": value}),
            (f"/console/complaints/{n}/messages", {"text": value}),
            (f"/console/complaints/{n}/status", {"status": value, "note": value}),
            (f"/console/complaints/{n}/assign", {"assignee": value}),
            (f"/console/complaints/{n}/request-evidence", {"note": value}),
            ("/console/bulk", {"text": value, "text_en": value, "category": value}),
            (f"/console/complaints/{n}/notes", {"text": "ok"}),  # csrf below is hostile
        ]
        for path, fields in forms:
            csrf = staff.csrf if fields.get("text") != "ok" else value
            await ledger.check(
                f"POST {path} {sorted(fields)} {name}",
                lambda p=path, f=fields, c=csrf: console.post(
                    p, content=form_bytes({**f, "csrf": c}), headers=FORM
                ),
            )
        for key in ("q", "category", "assignee", "status", "page", "filed_to"):
            await ledger.check(
                f"console list {key} {name}",
                lambda k=key: console.get(f"/console/complaints?{query({k: value})}"),
            )
        async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as anon:
            page = await anon.get("/console/login")
            import re

            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token
            await ledger.check(
                f"console login {name}",
                lambda: anon.post(
                    "/console/login",
                    content=form_bytes({"username": value, "password": value, "csrf": token.group(1)}),
                    headers=FORM,
                ),
            )
    ledger.assert_clean()
