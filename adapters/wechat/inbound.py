"""Verified WeChat XML → neutral events (pure: no I/O).

Field names follow WeChat's "receiving standard messages" and "receiving event pushes"
documents. Anything missing a field WeChat always sends is refused with 400, so a
forged or truncated body never reaches the dialog.
"""

from __future__ import annotations

import hashlib
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
    NoticeConsent,
    Subscribed,
    TextMessage,
    Unsubscribed,
    Unsupported,
)
from dialogs.vocabulary import Platform

MEDIA_KINDS = {
    "image": MediaKind.PHOTO,
    "video": MediaKind.VIDEO,
    "shortvideo": MediaKind.VIDEO,
    "file": MediaKind.DOCUMENT,
    "voice": MediaKind.AUDIO,
}

# The events the dialog answers. Every other event (a menu link opened, a send
# report, a customer-service session opened or closed by an agent, a card event, a
# scan or photo menu whose result arrives as its own message, a profile change…) is
# answered "success" and nothing else: WeChat sends many of them without the consumer
# having written anything, and a reply to them would read as spam.
ANSWERED_EVENTS = frozenset({"subscribe", "scan", "unsubscribe", "click"})
# Subscription-notice consent (订阅通知): the element holding the list, per event.
CONSENT_EVENTS = {
    "subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
    "subscribe_msg_change_event": "SubscribeMsgChangeEvent",
    "subscribe_msg_sent_event": "SubscribeMsgSentEvent",
}
CONSENT_BLOCKS = frozenset(CONSENT_EVENTS.values())
# 43101: the consumer refused the template (reported in a send event).
REFUSED = "43101"


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
    # Only the subscription consent blocks may nest; any other nested element is
    # dropped, so every other field is a string (or missing) for the code that reads it.
    return {
        k: v for k, v in root.items()
        if v is None or isinstance(v, str) or (k in CONSENT_BLOCKS and isinstance(v, dict))
    }


# Longest values WeChat sends for identifiers (OpenIDs are 28 characters, MsgIds 19
# digits); longer ones are not from WeChat and would not fit the database columns.
MAX_LENGTHS = {
    "ToUserName": 64, "FromUserName": 64, "CreateTime": 20, "MsgType": 32, "MsgId": 64,
    "MsgID": 64, "MediaId": 200, "Event": 64,
}
# Event keys longer than this are hashed in the dedupe key (a VIEW key is a whole URL).
KEY_IN_DEDUPE = 64


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
    """The dedupe key: MsgId, or FromUserName + CreateTime + Event + EventKey for events.

    WeChat retries three times when it has no answer within 5 s; events carry no MsgId,
    and two menu clicks within one second differ only by their EventKey.
    """
    if fields.get("MsgType") == "event":
        user, created, event = require(fields, "FromUserName", "CreateTime", "Event")
        key = fields.get("EventKey")
        key = key.strip() if isinstance(key, str) else ""
        if len(key) > KEY_IN_DEDUPE or not key.isprintable():
            key = "h" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        base = f"ev:{user}:{created}:{event.lower()}"
        return f"{base}:{key}" if key else base
    # Some WeChat pushes spell it MsgID.
    name = "MsgId" if fields.get("MsgId") is not None else "MsgID"
    (msg_id,) = require(fields, name)
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
    (event,) = require(fields, "Event")
    event = event.lower()
    key = cleaning.one_line(fields.get("EventKey") or "")
    if event in CONSENT_EVENTS:
        consents = _consents(fields.get(CONSENT_EVENTS[event]), sent=event.endswith("sent_event"))
        return NoticeConsent(**base, consents=consents) if consents else None
    if event not in ANSWERED_EVENTS:
        return None
    if event in ("subscribe", "scan"):
        # A scene QR code gives "qrscene_<scene>" on subscribe and "<scene>" on SCAN.
        scene = key.removeprefix("qrscene_") or None
        return Subscribed(**base, scene=scene, again=event == "scan")
    if event == "unsubscribe":
        return Unsubscribed(**base)
    return MenuClicked(**base, key=key)


def _consents(block: Any, *, sent: bool) -> tuple[tuple[str, str], ...]:
    """(template id, ``accept``/``reject``) pairs of a consent event's ``List``.

    Popup and change events carry ``SubscribeStatusString``; a send report only tells
    us something when the consumer refused (43101).
    """
    items = block.get("List") if isinstance(block, dict) else None
    if isinstance(items, dict):
        items = [items]
    out: list[tuple[str, str]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        template = item.get("TemplateId")
        if not isinstance(template, str) or not template.strip() or len(template) > 128:
            continue
        if sent:
            status = "reject" if item.get("ErrorCode") == REFUSED else None
        else:
            raw = item.get("SubscribeStatusString")
            status = raw.strip().lower() if isinstance(raw, str) else None
        if status in ("accept", "reject"):
            out.append((template.strip(), status))
    return tuple(out[:20])
