"""The hostile corpus posted to every endpoint, on SQLite and PostgreSQL.

No answer is a 5xx; a refused request writes no row; a consumer's message that is
answered 2xx is recorded (a bad value never loses a message).
"""

from __future__ import annotations

import copy
import re
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
PDF = b"%PDF-1.4\n%%EOF\n"


async def test_real_telegram_updates_of_every_kind(
    client: httpx.AsyncClient, services: Any
) -> None:
    ledger = Ledger(services)
    for name, update in corpus.telegram_updates().items():
        response = await ledger.check(name, telegram(client, update))
        if response.status_code != 200:
            ledger.failures.append(f"{name}: a real update answered {response.status_code}")
    ledger.assert_clean()


async def test_real_wechat_messages_and_events_of_every_type(
    client: httpx.AsyncClient, services: Any
) -> None:
    ledger = Ledger(services)
    for name, xml in corpus.wechat_messages().items():
        response = await ledger.check(name, wechat(client, xml))
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
    ]


async def test_raw_bodies_on_every_json_endpoint(
    client: httpx.AsyncClient, services: Any, staff: Staff
) -> None:
    ledger = Ledger(services)
    types = ["application/json", "text/plain", "application/octet-stream"]
    for label, path, headers in _json_endpoints(staff):
        for name, body in corpus.bodies().items():
            for content_type in types:
                sent = {**headers, "Content-Type": content_type}
                await ledger.check(
                    f"{label} {name} as {content_type}",
                    client.post(path, content=body, headers=sent),
                )
    # The WeChat webhook reads XML: the same bodies, signed.
    for name, body in corpus.bodies().items():
        await ledger.check(f"wechat {name}", wechat(client, body))
    ledger.assert_clean()


async def test_hostile_strings_at_every_step_of_the_web_chat(
    services: Any, consumer: Consumer
) -> None:
    """Each hostile value is sent at every question; the valid answer follows."""
    ledger = Ledger(services)
    async with consumer() as http:

        def post(text: str) -> Any:
            body = {"user": "hostile-walker", "text": text, "lang": "en"}
            return http.post("/chat/messages", content=json_bytes(body), headers=JSON)

        response = await post("hi")
        for _ in range(40):
            replies = response.json()["replies"]
            if filed(replies):
                break
            asked = question(replies)
            assert asked is not None, replies
            for name, value in corpus.strings().items():
                response = await ledger.check(f"{asked['step']} {name}", post(value), message=True)
                if response.status_code != 200:
                    continue
                now = question(response.json()["replies"])
                if now is None or now["step"] != asked["step"]:
                    break  # the value was a valid answer: answer the new question
            else:
                response = await post(answer_for(asked, COMPLAINT))
        assert filed(response.json()["replies"]), "the complaint was not filed"
    ledger.assert_clean()


BOUNDARY = "hostileboundary"


def _multipart(user: str, message_id: str, file_name: str) -> bytes:
    """A multipart upload whose fields carry raw (maybe invalid) UTF-8."""
    raw_name = file_name.replace('"', "").encode("utf-8", "surrogatepass")
    parts = [
        (b'name="user"', user.encode()),
        (b'name="message_id"', message_id.encode("utf-8", "surrogatepass")),
        (b'name="file"; filename="' + raw_name + b'"\r\nContent-Type: application/pdf', PDF),
    ]
    out = b""
    for head, value in parts:
        out += b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-data; " + head
        out += b"\r\n\r\n" + value + b"\r\n"
    return out + b"--" + BOUNDARY.encode() + b"--\r\n"


async def test_hostile_strings_in_every_web_chat_field(
    services: Any, consumer: Consumer
) -> None:
    ledger = Ledger(services)
    multipart = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    for index, (name, value) in enumerate(corpus.strings().items()):
        async with consumer() as http:
            user = f"hostile-field-{index}"
            for key in ("text", "message_id", "choice", "step", "lang"):
                body = json_bytes({"user": user, "text": "hi", key: value})
                await ledger.check(
                    f"web {key} {name}",
                    http.post("/chat/messages", content=body, headers=JSON),
                    message=True,
                )
            await ledger.check(
                f"upload name {name}",
                http.post(
                    "/chat/uploads", content=_multipart(user, "m1", value), headers=multipart
                ),
            )
            await ledger.check(
                f"upload message_id {name}",
                http.post(
                    "/chat/uploads", content=_multipart(user, value, "r.pdf"), headers=multipart
                ),
            )
            await ledger.check(
                f"notices {name}", http.get("/chat/notices?" + query({"user": value}))
            )
    ledger.assert_clean()


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


async def test_hostile_values_in_telegram_updates(
    client: httpx.AsyncClient, services: Any
) -> None:
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
                f"telegram {kind} {'.'.join(path)} {name}", telegram(client, update), message=True
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


def _wechat_with(xml: str, tag: str, value: str, msg_id: int) -> str:
    if tag != "MsgId":
        xml = re.sub(r"<MsgId>\d+</MsgId>", f"<MsgId>{msg_id}</MsgId>", xml)
    tagged = f"<{tag}>{cdata(value)}</{tag}>"
    return re.sub(rf"<{tag}>.*?</{tag}>", lambda _m: tagged, xml, count=1)


async def test_hostile_values_in_wechat_messages(
    client: httpx.AsyncClient, services: Any
) -> None:
    ledger = Ledger(services)
    messages = corpus.wechat_messages()
    msg_id = 7_100_000_000
    for name, value in corpus.strings().items():
        for kind, tag in WECHAT_FIELDS:
            msg_id += 1
            xml = _wechat_with(messages[kind], tag, value, msg_id)
            await ledger.check(f"wechat {kind} {tag} {name}", wechat(client, xml))
    ledger.assert_clean()


LIST_KEYS = ("q", "category", "assignee", "status", "filed_from", "sort", "page")
STAFF_READS = (
    "/api/v1/complaints/{}",
    "/api/v1/complaints/{}/evidence/1",
    "/api/v1/complaints/{}/contact",
)
HUGE_IDS = ("9" * 30, "-1", "0", str(2**31), str(2**63), str(2**64 + 1), "1e3", "9" * 5000)


def _staff_posts(n: str, value: str) -> list[tuple[str, dict[str, Any]]]:
    good_password = "long enough password"
    return [
        (f"/api/v1/complaints/{n}/status", {"status": value, "note": value}),
        (f"/api/v1/complaints/{n}/status", {"status": "accepted", "note": value}),
        (f"/api/v1/complaints/{n}/notes", {"text": value}),
        (f"/api/v1/complaints/{n}/messages", {"text": value}),
        (f"/api/v1/complaints/{n}/assign", {"assignee": value}),
        (f"/api/v1/complaints/{n}/request-evidence", {"note": value}),
        ("/api/v1/notices/bulk", {"text": value, "filter": {"q": value, "category": value}}),
        ("/api/v1/staff", {"username": value, "role": "agent", "password": good_password}),
        ("/api/v1/staff", {"username": "ok-name", "role": value, "password": value}),
    ]


async def test_hostile_values_in_the_staff_api(
    client: httpx.AsyncClient, services: Any, staff: Staff
) -> None:
    ledger = Ledger(services)
    n, bearer = staff.number, staff.bearer
    for name, value in corpus.strings().items():
        lists = [("/api/v1/complaints", key) for key in LIST_KEYS] + [
            (path, key)
            for path in ("/api/v1/statistics", "/api/v1/complaints.csv")
            for key in ("q", "filed_from")
        ]
        for path, key in lists:
            url = f"{path}?{query({key: value})}"
            await ledger.check(f"{path}?{key}= {name}", client.get(url, headers=bearer))
        for path, body in _staff_posts(n, value):
            await ledger.check(
                f"POST {path} {sorted(body)} {name}",
                client.post(path, content=json_bytes(body), headers={**bearer, **JSON}),
            )
        segment = query({"x": value})[2:] or "%20"
        for path in STAFF_READS:
            await ledger.check(
                f"GET {path} {name}", client.get(path.format(segment), headers=bearer)
            )
        credentials = form_bytes({"username": value, "password": value})
        await ledger.check(
            f"token {name}", client.post("/api/v1/auth/token", content=credentials, headers=FORM)
        )
    for number in HUGE_IDS:
        for path in ("/api/v1/complaints/{n}/evidence/{i}", "/console/complaints/{n}/evidence/{i}"):
            url = path.format(n=n, i=number)
            http = staff.console if url.startswith("/console") else client
            await ledger.check(f"GET {url[:60]}", http.get(url, headers=bearer))
        await ledger.check(
            f"retry {number[:20]}", client.post(f"/api/v1/outbox/{number}/retry", headers=bearer)
        )
        await ledger.check(
            f"console retry {number[:20]}",
            staff.console.post(
                f"/console/dead/{number}/retry", content=form_bytes({"csrf": staff.csrf}),
                headers=FORM,
            ),
        )
    ledger.assert_clean()


async def test_hostile_values_in_console_forms(
    services: Any, staff: Staff, consumer: Consumer
) -> None:
    ledger = Ledger(services)
    console, n, csrf = staff.console, staff.number, staff.csrf
    for name, value in corpus.strings().items():
        forms = [
            (f"/console/complaints/{n}/notes", {"text": value, "csrf": csrf}),
            (f"/console/complaints/{n}/messages", {"text": value, "csrf": csrf}),
            (f"/console/complaints/{n}/status", {"status": value, "note": value, "csrf": csrf}),
            (f"/console/complaints/{n}/assign", {"assignee": value, "csrf": csrf}),
            (f"/console/complaints/{n}/request-evidence", {"note": value, "csrf": csrf}),
            ("/console/bulk", {"text": value, "text_en": value, "category": value, "csrf": csrf}),
            (f"/console/complaints/{n}/notes", {"text": "checked", "csrf": value}),
        ]
        for path, fields in forms:
            await ledger.check(
                f"POST {path} {sorted(fields)} {name}",
                console.post(path, content=form_bytes(fields), headers=FORM),
            )
        for key in ("q", "category", "assignee", "status", "page", "filed_to"):
            url = f"/console/complaints?{query({key: value})}"
            await ledger.check(f"console list {key} {name}", console.get(url))
        async with consumer() as anonymous:
            page = await anonymous.get("/console/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token
            login = form_bytes({"username": value, "password": value, "csrf": token.group(1)})
            await ledger.check(
                f"console login {name}",
                anonymous.post("/console/login", content=login, headers=FORM),
            )
    ledger.assert_clean()
