"""With an EncodingAESKey configured, only signed ciphertext is a message.

WeChat's plain ``signature`` covers token, timestamp and nonce but not the body: one
captured plain query could carry any XML, for any OpenID.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from adapters.wechat.verify import signature
from tests.adapters.wechat.conftest import AES_KEY, TOKEN, reconfigure
from tests.adapters.wechat.flow import counts, server
from tests.adapters.wechat.wire import next_msg_id, text_xml
from tests.conftest import Clock
from tests.fakes.wechat_api import FakeWeChat


def _cases(ts: int, nonce: str, encrypted: str) -> dict[str, dict[str, str]]:
    plain = {"signature": signature(TOKEN, str(ts), nonce), "timestamp": str(ts), "nonce": nonce}
    good = signature(TOKEN, str(ts), nonce, encrypted)
    return {
        "plain query": plain,
        "encrypt_type raw": {**plain, "encrypt_type": "raw"},
        "msg_signature without encrypt_type": {**plain, "msg_signature": good},
        "aes without msg_signature": {**plain, "encrypt_type": "aes"},
        "msg_signature of another ciphertext": {**plain, "encrypt_type": "aes",
                                                "msg_signature": signature(TOKEN, "x")},
    }


@pytest.mark.parametrize("case", list(_cases(0, "", "")))
async def test_plaintext_is_refused_in_safe_mode(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock, case: str
) -> None:
    reconfigure(services, aes_key=AES_KEY)
    wx = server(client, fake, clock, safe=True)
    ts = int(clock.now.timestamp())
    encrypted = wx.crypto().encrypt_message(text_xml("oUser-a", "hi", 1, ts), wx.nonce, str(ts))
    cipher = encrypted.split("<Encrypt><![CDATA[", 1)[1].split("]]>", 1)[0]
    params = _cases(ts, wx.nonce, cipher)[case]
    # An attacker's body: plaintext, or plaintext next to a real ciphertext.
    forged = text_xml("oUser-victim", "hi", next_msg_id(), ts)
    for body in (forged, encrypted.replace("<xml>", "<xml>" + forged[5:-6], 1)):
        answer = await client.post("/webhooks/wechat", params=params, content=body.encode())
        assert answer.status_code == 403, (case, answer.text)
    assert (await counts(services))["identities"] == 0


async def test_plain_mode_only_without_a_key(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    reconfigure(services, aes_key=None)
    wx = server(client, fake, clock)
    assert await wx.say("oUser-plain", "hi")
    assert (await counts(services))["identities"] == 1
