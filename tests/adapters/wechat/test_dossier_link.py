"""A WeChat consumer's "证据包" gets a signed 24-hour link to the dossier, in the reply."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.adapters.wechat.flow import server, walk_to
from tests.conftest import Clock
from tests.fakes.wechat_api import FakeWeChat


async def test_the_passive_reply_carries_a_signed_link_that_opens_the_pdf(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    user = "oUser-dossier"
    await walk_to(wx, services, user, "confirm", "hi")
    number = re.search(r"\b(\d{14})\b", await wx.say(user, "1"))
    assert number is not None
    reply = await wx.say(user, "证据包")
    base = re.escape(services.settings.public_base_url)
    link = re.search(base + r"(/chat/dossier/link/[\w.\-]+)", reply)
    assert link is not None, reply
    assert number.group(1) in reply and "24" in reply
    got = await client.get(link.group(1))
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    assert got.headers["content-disposition"].endswith(f'dossier-{number.group(1)}.pdf"')
    # Another WeChat user asking gets no link to it.
    other = await wx.say("oUser-other", "证据包")
    assert "/chat/dossier/" not in other
