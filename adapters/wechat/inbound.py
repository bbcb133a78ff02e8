"""Verified WeChat XML → neutral events (pure: no I/O).

Field names follow WeChat's "receiving standard messages" and "receiving event pushes"
documents. Anything missing a field WeChat always sends is refused with 400, so a
forged or truncated body never reaches the dialog.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict

from adapters.base import AdapterError
from adapters.wechat.verify import check_body
from dialogs import cleaning
from dialogs.events import (
    InboundEvent,
    LocationMessage,
    MediaKind,
    MediaMessage,
    MenuClicked,
    Platform,
    Subscribed,
    TextMessage,
    Unsubscribed,
    Unsupported,
)

MEDIA_KINDS = {
    "image": MediaKind.PHOTO,
    "video": MediaKind.VIDEO,
    "shortvideo": MediaKind.VIDEO,
    "file": MediaKind.DOCUMENT,
    "voice": MediaKind.AUDIO,
}

# Events that need no answer: the consumer opened a menu link, WeChat reports a
# template or mass send result, or the client reports its position in the background.
SILENT_EVENTS = frozenset(
    {"view", "view_miniprogram", "templatesendjobfinish", "masssendjobfinish", "location"}
)

# States where the dialog collects files: a voice message there is evidence too.


@dataclass(frozen=True)
class Envelope:
    """Who a message came from and to (the passive reply swaps them)."""

    account: str
    user: str


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """The fields of a WeChat XML body as a flat dict of strings.

    Raises:
        AdapterError: 413/400 for oversized, DOCTYPE/entity or malformed XML.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    check_body(raw)
    try:
        # disable_entities stays on (xmltodict's default) as a second line of defence.
        doc = xmltodict.parse(raw, disable_entities=True)
    except (ExpatError, ValueError, UnicodeDecodeError):
        raise AdapterError(400, "malformed XML") from None
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise AdapterError(400, "not a WeChat message")
    return {k: v for k, v in root.items() if isinstance(v, str) or v is None}


# Longest values WeChat sends for identifiers (OpenIDs are 28 characters, MsgIds 19
# digits); longer ones are not from WeChat and would not fit the database columns.
MAX_LENGTHS = {
    "ToUserName": 64, "FromUserName": 64, "CreateTime": 20, "MsgType": 32, "MsgId": 64,
    "MediaId": 200, "Event": 64,
}


def require(fields: dict[str, Any], *names: str) -> list[str]:
    """The values of fields WeChat always sends. Raises ``AdapterError(400)`` if missing."""
    values = []
    for name in names:
        value = fields.get(name)
        if not isinstance(value, str) or not value.strip():
            raise AdapterError(400, f"missing {name}")
        if len(value) > MAX_LENGTHS.get(name, 1_000_000):
            raise AdapterError(400, f"{name} too long")
        if name in MAX_LENGTHS and cleaning.has_controls(value):
            raise AdapterError(400, f"bad {name}")
        values.append(value)
    return values


def envelope(fields: dict[str, Any]) -> Envelope:
    """The account and consumer of a message. Raises ``AdapterError(400)`` if missing."""
    account, user = require(fields, "ToUserName", "FromUserName")
    return Envelope(account=account, user=user)


def message_key(fields: dict[str, Any]) -> str:
    """The dedupe key: MsgId, or FromUserName + CreateTime + Event for events.

    WeChat retries three times when it has no answer within 5 s; events carry no MsgId.
    """
    if fields.get("MsgType") == "event":
        user, created, event = require(fields, "FromUserName", "CreateTime", "Event")
        return f"ev:{user}:{created}:{event.lower()}"
    (msg_id,) = require(fields, "MsgId")
    return msg_id


def _float(fields: dict[str, Any], name: str) -> float:
    (raw,) = require(fields, name)
    try:
        value = float(raw)
    except ValueError:
        raise AdapterError(400, f"bad {name}") from None
    if not math.isfinite(value):
        raise AdapterError(400, f"bad {name}")
    return value


def to_event(fields: dict[str, Any]) -> InboundEvent | None:
    """The neutral event for a parsed message, or None for events that need no answer.

    Args:
        fields: the output of :func:`parse_xml`.

    Raises:
        AdapterError: 400 when a field WeChat always sends is missing or malformed.
    """
    env = envelope(fields)
    (msg_type, created) = require(fields, "MsgType", "CreateTime")
    msg_type = msg_type.lower()
    try:
        received = datetime.fromtimestamp(int(created), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise AdapterError(400, "bad CreateTime") from None
    base: dict[str, Any] = {
        "platform": Platform.WECHAT,
        "user_id": env.user,
        "message_id": message_key(fields),
        "received_at": received,
    }
    if msg_type == "event":
        return _event(fields, base)
    if msg_type == "text":
        (content,) = require(fields, "Content")
        return TextMessage(**base, text=cleaning.free_text(content))
    if msg_type == "voice":
        (media_id,) = require(fields, "MediaId")
        # The dialog reads the recognised text as the answer, or keeps the voice as
        # evidence when it is collecting files (decided under the conversation lock).
        recognised = cleaning.free_text(fields.get("Recognition") or "").strip() or None
        return MediaMessage(
            **base, kind=MediaKind.AUDIO, platform_ref=media_id, recognised_text=recognised
        )
    if msg_type == "file" and not fields.get("MediaId"):
        # A file sent from the WeChat PC client carries FileKey/FileMd5 but no MediaId:
        # there is nothing to download, so the consumer is asked for a photo instead.
        return Unsupported(**base, description="file")
    if msg_type in MEDIA_KINDS:
        (media_id,) = require(fields, "MediaId")
        return MediaMessage(
            **base,
            kind=MEDIA_KINDS[msg_type],
            platform_ref=media_id,
            file_name=cleaning.name(fields.get("Title"), cleaning.FILE_NAME)
            if msg_type == "file"
            else None,
        )
    if msg_type == "location":
        return LocationMessage(
            **base,
            latitude=_float(fields, "Location_X"),
            longitude=_float(fields, "Location_Y"),
            label=cleaning.name(fields.get("Label"), cleaning.LABEL),
        )
    if msg_type == "link":
        (url,) = require(fields, "Url")
        parts = [fields.get("Title") or "", fields.get("Description") or "", url]
        text = "\n".join(p.strip() for p in parts if p and p.strip())
        return TextMessage(**base, text=cleaning.free_text(text))
    return Unsupported(**base, description=msg_type[:50])


def _event(fields: dict[str, Any], base: dict[str, Any]) -> InboundEvent | None:
    event = (fields.get("Event") or "").lower()
    key = cleaning.one_line(fields.get("EventKey") or "")
    if event in ("subscribe", "scan"):
        # A scene QR code gives "qrscene_<scene>" on subscribe and "<scene>" on SCAN.
        scene = key.removeprefix("qrscene_") or None
        return Subscribed(**base, scene=scene)
    if event == "unsubscribe":
        return Unsubscribed(**base)
    if event == "click":
        return MenuClicked(**base, key=key)
    if event in SILENT_EVENTS:
        return None
    return Unsupported(**base, description=f"event:{event}"[:50])
