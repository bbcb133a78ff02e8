"""How a load-generator message is sent on each channel, as the platform would send it."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import zlib
from typing import Any
from typing import Protocol as _Protocol
from urllib.parse import urlencode

from adapters.wechat.verify import signature

# Credentials the benchmark server is started with (bench/common.py BENCH_ENV).
WECHAT_TOKEN = "benchtoken"
WECHAT_APP_ID = "wxbench0000000001"
WECHAT_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


class Protocol(_Protocol):
    def encode(self, user: str, n: int, line: str) -> tuple[str, str, bytes, dict[str, str]]: ...

    def ok(self, body: bytes) -> bool: ...


class Web:
    """``POST /chat/messages`` JSON, with a message id so retries are safe.

    The server tells consumers apart by the cookie it sets on the first answer (the
    caller keeps one cookie jar per consumer); ``user`` stays in the body only for the
    baseline (bench/baseline.py), which keys its rows by it. Weiquan ignores it.
    """

    def encode(self, user: str, n: int, line: str) -> tuple[str, str, bytes, dict[str, str]]:
        body = json.dumps({"user": user, "text": line, "message_id": f"{user}-{n}", "lang": "en"})
        return "POST", "/chat/messages", body.encode(), {"Content-Type": "application/json"}

    def ok(self, body: bytes) -> bool:
        return b'"replies"' in body


class WeChat:
    """Signed XML to ``/webhooks/wechat``; ``safe`` encrypts it as WeChat's safe mode does."""

    def __init__(self, *, safe: bool) -> None:
        self.safe = safe

    def encode(self, user: str, n: int, line: str) -> tuple[str, str, bytes, dict[str, str]]:
        ts = str(int(time.time()))
        # A new nonce per message, as WeChat does: the server refuses a (timestamp, nonce)
        # pair it has seen with another body. Resending this request as-is stays fine.
        nonce = str(secrets.randbelow(10**10))
        msg_id = zlib.crc32(user.encode()) * 100 + n
        xml = (
            f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{ts}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{line}]]></Content>"
            f"<MsgId>{msg_id}</MsgId></xml>"
        )
        params = {
            "signature": signature(WECHAT_TOKEN, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "openid": user,
        }
        body = xml
        if self.safe:
            body = _crypto().encrypt_message(xml, nonce, ts)
            encrypted = body.split("<Encrypt><![CDATA[", 1)[1].split("]]>", 1)[0]
            params.update(
                encrypt_type="aes", msg_signature=signature(WECHAT_TOKEN, ts, nonce, encrypted)
            )
        path = "/webhooks/wechat?" + urlencode(params)
        return "POST", path, body.encode(), {"Content-Type": "text/xml"}

    def ok(self, body: bytes) -> bool:
        return body.startswith(b"<xml>") or body == b"success"


def _crypto() -> Any:
    global _CRYPTO
    if _CRYPTO is None:
        from wechatpy.crypto import WeChatCrypto

        _CRYPTO = WeChatCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID)
    return _CRYPTO


_CRYPTO: Any = None

TELEGRAM_SECRET = "bench-telegram-secret"


class Telegram:
    """Webhook updates to ``/webhooks/telegram`` with the secret-token header.

    The server answers each through ``sendMessage`` on a fake Bot API (bench/fake_bot_api.py).
    """

    def encode(self, user: str, n: int, line: str) -> tuple[str, str, bytes, dict[str, str]]:
        # 48 bits: consumers of a long run must not share a chat (crc32 collided).
        uid = int.from_bytes(hashlib.blake2b(user.encode(), digest_size=6).digest()) + 1
        person = {"id": uid, "is_bot": False, "first_name": "Bench", "language_code": "en"}
        update = {
            "update_id": uid * 100 + n,
            "message": {
                "message_id": n + 1,
                "date": int(time.time()),
                "chat": {"id": uid, "type": "private", "first_name": "Bench"},
                "from": person,
                "text": line,
            },
        }
        headers = {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
        }
        return "POST", "/webhooks/telegram", json.dumps(update).encode(), headers

    def ok(self, body: bytes) -> bool:
        return body.replace(b" ", b"") == b'{"ok":true}'


PROTOCOLS: dict[str, Protocol] = {
    "web": Web(),
    "baseline": Web(),
    "wechat": WeChat(safe=False),
    "wechat-safe": WeChat(safe=True),
    "telegram": Telegram(),
}
