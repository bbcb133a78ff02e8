"""Shared pieces of the webhook tests: the dialog walker and row counts."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import func, select

from storage.models import (
    Complaint,
    ConversationRow,
    Evidence,
    Identity,
    OutboxNotice,
    ProcessedMessage,
)
from tests.adapters.wechat.wire import WeChatServer
from tests.conftest import Clock
from tests.fakes.wechat_api import FakeWeChat

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")

# Text answers per dialog step; steps with a numbered list not named here get "1".
ANSWERS = {
    "handled_elsewhere": "no",
    "merchant_name": "Suning ]]> <Shop>",
    "merchant_address": "skip",
    "order_number": "SN-2026-0001",
    "incident_date": "2026-11-18",
    "amount": "3999",
    "description": "The fridge stopped cooling two days after delivery; the shop refuses.",
    "demands": "1 3",
    "contact_name": "张三",
    "contact_phone": "13812345678",
    "consent_share": "yes",
}
TABLES = (Identity, ConversationRow, ProcessedMessage, Complaint, Evidence, OutboxNotice)


def server(client: httpx.AsyncClient, fake: FakeWeChat, clock: Clock, *, safe: bool = False
           ) -> WeChatServer:
    return WeChatServer(client, fake.app_id, safe=safe, now=lambda: clock.now.timestamp())


async def state_of(services: Any, user: str) -> str | None:
    async with services.database.sessions() as session:
        state: str | None = await session.scalar(
            select(ConversationRow.state).join(Identity, Identity.id == ConversationRow.identity_id)
            .where(Identity.external_id == user)
        )
    return state


async def counts(services: Any) -> dict[str, int]:
    async with services.database.sessions() as session:
        return {
            model.__tablename__: int(await session.scalar(select(func.count()).select_from(model))
                                     or 0)
            for model in TABLES
        }


async def walk_to(wx: WeChatServer, services: Any, user: str, stop: str, first: str) -> str:
    """Answer questions until the dialog reaches ``stop``; returns the last reply."""
    reply = await wx.say(user, first)
    for _ in range(40):
        state = await state_of(services, user)
        if state == stop:
            return reply
        assert state is not None
        answer = ANSWERS.get(state) or ("1" if re.search(r"^1\. ", reply, re.M) else None)
        assert answer is not None, f"no answer for {state}: {reply}"
        reply = await wx.say(user, answer)
    raise AssertionError(f"did not reach {stop}")
