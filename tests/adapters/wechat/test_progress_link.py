"""Outside every window a notice goes as a template whose link opens the progress page;
the link is signed, expires, and opens only that consumer's complaint."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import select

from adapters.wechat.template import parse_fields
from bots.delivery import worker
from bots.staff import status_moves
from storage.models import Complaint, Identity, Staff
from tests.adapters.wechat.flow import server, walk_to
from tests.conftest import Clock
from tests.fakes.wechat_api import FakeWeChat

TEMPLATE = "message/template/send"


async def file_complaint(wx: Any, services: Any, user: str) -> str:
    await walk_to(wx, services, user, "confirm", "hi")
    found = re.search(r"\b(\d{14})\b", await wx.say(user, "1"))
    assert found
    return found.group(1)


async def staff(services: Any) -> Staff:
    from storage import staff as staff_store

    async with services.database.transaction() as session:
        return await staff_store.create_staff(session=session, username="desk",
                                              password="pw-desk-123", role="agent",
                                              now=services.now())


async def test_a_rejection_outside_the_window_is_a_template_linking_to_progress(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    sender = services.senders["wechat"]
    sender.clock = clock
    sender.template_id = "TPL-PROGRESS"
    sender.fields = parse_fields("character_string1=number,phrase2=status,time3=date,"
                                 "thing4=summary")
    wx = server(client, fake, clock)
    number = await file_complaint(wx, services, "oUser-progress")
    other = await file_complaint(wx, services, "oUser-someone-else")
    clock.advance(hours=49)  # the 48-hour window has closed
    await status_moves.change_status(services, await staff(services), number, "rejected",
                                      "Please contact the platform first.",
                                      reason="outside_remit")
    assert await worker.deliver_due(services) == 1
    [call] = fake.calls_to(TEMPLATE)
    assert call.body is not None
    data = {k: v["value"] for k, v in call.body["data"].items()}
    assert data["character_string1"] == number
    assert data["phrase2"] == "不予受理"  # a phrase field takes Chinese characters only
    assert data["thing4"] == "The matter is outsi…"
    url = call.body["url"]
    assert url.startswith(services.settings.public_base_url + "/progress/")
    path = url.removeprefix(services.settings.public_base_url)

    page = await client.get(path)
    assert page.status_code == 200
    assert number in page.text and "Not accepted" in page.text
    assert "The matter is outside what we can handle." in page.text
    assert page.headers["cache-control"] == "no-store"
    assert other not in page.text

    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert (await client.get(f"/progress/{tampered}")).status_code == 403
    # A token of this consumer naming someone else's complaint opens nothing.
    async with services.database.sessions() as session:
        mine = await session.scalar(select(Identity).where(Identity.external_id
                                                           == "oUser-progress"))
        theirs = await session.scalar(select(Complaint).where(Complaint.number == other))
    assert mine is not None and theirs is not None
    assert services.progress is not None
    assert (await client.get(f"/progress/{services.progress.token(mine.id, other)}")
            ).status_code == 404
    clock.advance(days=31)
    assert (await client.get(path)).status_code == 404
