"""Signatures, the replay window, and Tencent's published WXBizMsgCrypt sample vector."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from adapters.base import AdapterError
from adapters.wechat import inbound
from adapters.wechat.verify import SafeMode, check_signature, check_timestamp, signature
from dialogs.events import TextMessage
from tests.adapters.wechat.conftest import reconfigure

# Tencent's sample for WXBizMsgCrypt (the C#/Java/PHP/Python samples of the message
# encryption SDK carry the same values).
SAMPLE_TOKEN = "QDG6eK"
SAMPLE_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
SAMPLE_APP_ID = "wx5823bf96d3bd56c7"
SAMPLE_MSG_SIGNATURE = "477715d11cdb4164915debcba66cb864d751f3e6"
SAMPLE_TIMESTAMP = "1409659813"
SAMPLE_NONCE = "1372623149"
SAMPLE_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
    "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLj"
    "vd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMn"
    "vw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k"
    "22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2Yoy"
    "yH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
SAMPLE_BODY = (
    f"<xml><ToUserName><![CDATA[{SAMPLE_APP_ID}]]></ToUserName>"
    f"<Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt></xml>"
)


def test_tencent_sample_vector_decrypts() -> None:
    safe = SafeMode(SAMPLE_TOKEN, SAMPLE_AES_KEY, SAMPLE_APP_ID)
    plain = safe.decrypt(SAMPLE_ENCRYPT, msg_signature=SAMPLE_MSG_SIGNATURE,
                         timestamp=SAMPLE_TIMESTAMP, nonce=SAMPLE_NONCE)
    event = inbound.to_event(inbound.parse_xml(plain))
    assert isinstance(event, TextMessage)
    assert (event.user_id, event.text, event.message_id) == (
        "mycreate", "hello", "4561255354251345929"
    )


def test_tencent_sample_vector_with_a_wrong_signature_or_app_id() -> None:
    with pytest.raises(AdapterError) as forged:
        SafeMode(SAMPLE_TOKEN, SAMPLE_AES_KEY, SAMPLE_APP_ID).decrypt(
            SAMPLE_ENCRYPT, msg_signature="0" * 40, timestamp=SAMPLE_TIMESTAMP,
            nonce=SAMPLE_NONCE)
    assert forged.value.status == 403
    with pytest.raises(AdapterError) as other_app:
        SafeMode(SAMPLE_TOKEN, SAMPLE_AES_KEY, "wx_someone_else").decrypt(
            SAMPLE_ENCRYPT, msg_signature=SAMPLE_MSG_SIGNATURE, timestamp=SAMPLE_TIMESTAMP,
            nonce=SAMPLE_NONCE)
    assert other_app.value.status == 400


async def test_tencent_sample_vector_through_the_webhook(
    client: httpx.AsyncClient, services: Any
) -> None:
    reconfigure(services, token=SAMPLE_TOKEN, aes_key=SAMPLE_AES_KEY, app_id=SAMPLE_APP_ID,
                replay_window=0)
    params = {
        "signature": signature(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE),
        "timestamp": SAMPLE_TIMESTAMP, "nonce": SAMPLE_NONCE, "encrypt_type": "aes",
        "msg_signature": SAMPLE_MSG_SIGNATURE,
    }
    answer = await client.post("/webhooks/wechat", params=params, content=SAMPLE_BODY)
    assert answer.status_code == 200, answer.text
    envelope = xmltodict.parse(answer.text)["xml"]
    crypto = WeChatCrypto(SAMPLE_TOKEN, SAMPLE_AES_KEY, SAMPLE_APP_ID)
    reply = xmltodict.parse(crypto.decrypt_message(
        envelope, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
    ))["xml"]
    assert (reply["ToUserName"], reply["FromUserName"]) == ("mycreate", SAMPLE_APP_ID)
    assert reply["Content"]


def test_signature_is_checked() -> None:
    good = signature("tok", "1", "2")
    check_signature("tok", signature_=good, timestamp="1", nonce="2")
    check_signature("tok", signature_=good.upper(), timestamp="1", nonce="2")
    for bad in (None, "", good[:-1] + "0", "中文"):
        with pytest.raises(AdapterError) as refused:
            check_signature("tok", signature_=bad, timestamp="1", nonce="2")
        assert refused.value.status == 403


@pytest.mark.parametrize(("sent", "ok"), [("1000", True), ("700", True), ("699", False),
                                          ("1301", False), ("", False), ("soon", False)])
def test_replay_window(sent: str, ok: bool) -> None:
    if ok:
        check_timestamp(sent, now=1000, window=300)
    else:
        with pytest.raises(AdapterError):
            check_timestamp(sent, now=1000, window=300)
    check_timestamp(sent or "0", now=1000, window=0)  # 0 turns the check off
