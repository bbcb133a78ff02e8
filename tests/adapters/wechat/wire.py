"""Signed WeChat webhook requests, as WeChat's servers send them (plain and safe mode)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx
import xmltodict
from wechatpy.crypto import WeChatCrypto

from adapters.wechat.verify import signature
from tests.adapters.wechat.conftest import AES_KEY, TOKEN

_ids = itertools.count(7_000_000_000_000_000_001)
_nonces = itertools.count(1_372_623_149)


def cdata(text: str) -> str:
    """Text inside CDATA as WeChat sends it: ``]]>`` split across two sections."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def text_xml(user: str, content: str, msg_id: int, created: int) -> str:
    content = cdata(content)
    return (f"<xml><ToUserName><![CDATA[gh_weiquan]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{created}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id}</MsgId></xml>")


def image_xml(user: str, media_id: str, msg_id: int, created: int) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_weiquan]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{created}</CreateTime>"
            f"<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]>"
            f"</PicUrl><MediaId><![CDATA[{media_id}]]></MediaId><MsgId>{msg_id}</MsgId></xml>")


def event_xml(user: str, event: str, created: int, key: str = "") -> str:
    return (f"<xml><ToUserName><![CDATA[gh_weiquan]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{created}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>"
            f"<EventKey><![CDATA[{key}]]></EventKey></xml>")


@dataclass
class WeChatServer:
    """Posts to ``/webhooks/wechat`` like WeChat: signed query, XML body, maybe AES."""

    http: httpx.AsyncClient
    app_id: str
    safe: bool = False
    now: Any = None  # a callable returning the current UNIX time
    nonce: str = field(default_factory=lambda: str(next(_nonces)))
    replies: list[str] = field(default_factory=list)

    def params(self, timestamp: int, body: str | None = None) -> dict[str, str]:
        ts = str(timestamp)
        params = {"signature": signature(TOKEN, ts, self.nonce), "timestamp": ts,
                  "nonce": self.nonce, "openid": "oUser"}
        if self.safe and body is not None:
            encrypt = xmltodict.parse(body)["xml"]["Encrypt"]
            params.update(encrypt_type="aes",
                          msg_signature=signature(TOKEN, ts, self.nonce, encrypt))
        return params

    def crypto(self) -> WeChatCrypto:
        return WeChatCrypto(TOKEN, AES_KEY, self.app_id)

    async def post(self, xml: str, *, timestamp: int | None = None) -> httpx.Response:
        ts = timestamp if timestamp is not None else int(self.now())
        body = self.crypto().encrypt_message(xml, self.nonce, str(ts)) if self.safe else xml
        answer = await self.http.post("/webhooks/wechat", params=self.params(ts, body),
                                      content=body.encode("utf-8"))
        # WeChat signs every push with a new nonce; a (timestamp, nonce) pair seen with
        # another body is a replay and refused.
        self.nonce = str(next(_nonces))
        return answer

    def content(self, response: httpx.Response) -> str:
        """The text of a passive reply ("" for "success"); decrypted in safe mode."""
        assert response.status_code == 200, response.text
        if response.text == "success":
            return ""
        xml = response.text
        if self.safe:
            envelope = xmltodict.parse(xml)["xml"]
            xml = self.crypto().decrypt_message(
                envelope, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
            )
        fields = xmltodict.parse(xml)["xml"]
        assert fields["MsgType"] == "text"
        return str(fields["Content"])

    async def say(self, user: str, text: str) -> str:
        created = int(self.now())
        return self.content(await self.post(text_xml(user, text, next(_ids), created)))

    async def send_image(self, user: str, media_id: str) -> str:
        created = int(self.now())
        return self.content(await self.post(image_xml(user, media_id, next(_ids), created)))


def next_msg_id() -> int:
    return next(_ids)
