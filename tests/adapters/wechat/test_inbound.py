"""Verified WeChat XML → neutral events, with real payloads from tests/data/wechat/."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.base import AdapterError
from adapters.wechat import inbound
from dialogs.events import (
    LocationMessage,
    MediaKind,
    MediaMessage,
    MenuClicked,
    Subscribed,
    TextMessage,
    Unsubscribed,
    Unsupported,
)

DATA = Path(__file__).parents[2] / "data" / "wechat"


def load(name: str) -> dict[str, Any]:
    return inbound.parse_xml((DATA / f"{name}.xml").read_bytes())


CASES: list[tuple[str, type, dict[str, Any]]] = [
    ("text", TextMessage, {"text": "this is a test", "message_id": "1234567890123456"}),
    ("image", MediaMessage, {"kind": MediaKind.PHOTO, "platform_ref": "media_image_1"}),
    ("voice_recognised", MediaMessage,
     {"kind": MediaKind.AUDIO, "recognised_text": "冰箱不制冷"}),
    ("voice", MediaMessage, {"kind": MediaKind.AUDIO, "platform_ref": "media_voice_2"}),
    ("video", MediaMessage, {"kind": MediaKind.VIDEO, "platform_ref": "media_video_1"}),
    ("shortvideo", MediaMessage, {"kind": MediaKind.VIDEO, "platform_ref": "media_short_1"}),
    ("location", LocationMessage,
     {"latitude": 23.134521, "longitude": 113.358803, "label": "广州市天河区天河路208号"}),
    ("link", TextMessage, {"text": "商家公告\n不退不换\nhttps://example.com/notice"}),
    ("subscribe", Subscribed, {"scene": None,
                               "message_id": "ev:oUser-Abc123:1348831860:subscribe"}),
    ("subscribe_scene", Subscribed, {"scene": "123123"}),
    ("scan", Subscribed, {"scene": "123123"}),
    ("unsubscribe", Unsubscribed, {}),
    ("click", MenuClicked, {"key": "my_complaints"}),
    ("miniprogrampage", Unsupported, {"description": "miniprogrampage"}),
]


@pytest.mark.parametrize(("name", "kind", "expected"), CASES, ids=[c[0] for c in CASES])
def test_payload_becomes_event(name: str, kind: type, expected: dict[str, Any]) -> None:
    event = inbound.to_event(load(name))
    assert event is not None and type(event) is kind
    assert event.user_id == "oUser-Abc123"
    assert event.received_at == datetime.fromtimestamp(1348831860, tz=UTC)
    for attr, value in expected.items():
        assert getattr(event, attr) == value, attr


@pytest.mark.parametrize("name", ["view", "location_event", "template_finish", "scancode_event"])
def test_events_needing_no_answer(name: str) -> None:
    assert inbound.to_event(load(name)) is None


def test_voice_keeps_its_media_and_its_recognised_text() -> None:
    event = inbound.to_event(load("voice_recognised"))
    assert isinstance(event, MediaMessage)
    assert event.kind == MediaKind.AUDIO
    assert event.platform_ref == "media_voice_1"
    assert event.recognised_text == "冰箱不制冷"


def test_event_keys_differ_by_time_and_event() -> None:
    fields = load("subscribe")
    later = {**fields, "CreateTime": "1348831861"}
    assert inbound.message_key(fields) != inbound.message_key(later)
    assert inbound.message_key(load("unsubscribe")) != inbound.message_key(fields)


def test_event_keys_differ_by_event_key() -> None:
    click = load("click")
    other = {**click, "EventKey": "help"}
    assert inbound.message_key(click) != inbound.message_key(other)
    assert inbound.message_key(click) == inbound.message_key(dict(click))
    long = {**click, "EventKey": "https://example.com/" + "x" * 500}
    assert len(inbound.message_key(long)) < 200  # fits the dedupe column


def test_scan_is_marked_as_a_second_scan() -> None:
    scan, follow = inbound.to_event(load("scan")), inbound.to_event(load("subscribe_scene"))
    assert isinstance(scan, Subscribed) and scan.again
    assert isinstance(follow, Subscribed) and not follow.again


def test_msgid_in_capitals_is_the_key() -> None:
    xml = (b"<xml><ToUserName>a</ToUserName><FromUserName>u</FromUserName>"
           b"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content>"
           b"<MsgID>99</MsgID></xml>")
    event = inbound.to_event(inbound.parse_xml(xml))
    assert isinstance(event, TextMessage) and event.message_id == "99"


HEAD = "<xml><ToUserName>a</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>"
BAD: list[tuple[str, bytes, int]] = [
    ("garbage", b"\x00\xff\xfe garbage", 400),
    ("not xml", b"hello", 400),
    ("unclosed", b"<xml><ToUserName>a", 400),
    ("other root", b"<root><a>1</a></root>", 400),
    ("missing MsgType", f"{HEAD}<Content>x</Content><MsgId>1</MsgId></xml>".encode(), 400),
    ("missing FromUserName",
     b"<xml><ToUserName>a</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
     b"<Content>x</Content><MsgId>1</MsgId></xml>", 400),
    ("missing MsgId", f"{HEAD}<MsgType>text</MsgType><Content>x</Content></xml>".encode(), 400),
    ("missing Content", f"{HEAD}<MsgType>text</MsgType><MsgId>1</MsgId></xml>".encode(), 400),
    ("image without MediaId", f"{HEAD}<MsgType>image</MsgType><MsgId>1</MsgId></xml>".encode(),
     400),
    ("bad location", f"{HEAD}<MsgType>location</MsgType><Location_X>north</Location_X>"
     "<Location_Y>1</Location_Y><MsgId>1</MsgId></xml>".encode(), 400),
    ("bad CreateTime", b"<xml><ToUserName>a</ToUserName><FromUserName>u</FromUserName>"
     b"<CreateTime>soon</CreateTime><MsgType>text</MsgType><Content>x</Content>"
     b"<MsgId>1</MsgId></xml>", 400),
    ("event without Event", f"{HEAD}<MsgType>event</MsgType></xml>".encode(), 400),
    ("billion laughs", b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
     b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>', 400),
    ("external entity", b'<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
     b"<xml><Content>&xxe;</Content></xml>", 400),
    ("lower-case doctype", b"<!doctype xml><xml/>", 400),
    ("OpenID too long", b"<xml><ToUserName>a</ToUserName><FromUserName>" + b"u" * 65
     + b"</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content>"
     b"<MsgId>1</MsgId></xml>", 400),
    ("too large", b"<xml>" + b"a" * (64 * 1024) + b"</xml>", 413),
]


@pytest.mark.parametrize(("name", "body", "status"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused(name: str, body: bytes, status: int) -> None:
    with pytest.raises(AdapterError) as refused:
        inbound.to_event(inbound.parse_xml(body))
    assert refused.value.status == status


def test_nested_elements_outside_consent_blocks_are_dropped() -> None:
    xml = (b"<xml><ToUserName>a</ToUserName><FromUserName>u</FromUserName>"
           b"<CreateTime>1</CreateTime><MsgType>voice</MsgType><MediaId>m</MediaId>"
           b"<Recognition><a>x</a></Recognition><MsgId>5</MsgId></xml>")
    event = inbound.to_event(inbound.parse_xml(xml))
    assert isinstance(event, MediaMessage) and event.recognised_text is None
