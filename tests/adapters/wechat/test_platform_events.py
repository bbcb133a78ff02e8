"""WeChat's rules as they are today, replayed through ``/webhooks/wechat`` (both databases):
events nobody needs to answer, consent events, scans mid-draft, event dedupe keys, MsgID,
short customer-service windows and the 2,048-byte passive reply."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from storage.models import Identity, ProcessedMessage
from tests.adapters.wechat.conftest import AES_KEY, reconfigure
from tests.adapters.wechat.flow import counts, server, state_of, walk_to
from tests.adapters.wechat.wire import event_xml, next_msg_id
from tests.conftest import Clock
from tests.fakes.wechat_api import FakeWeChat

# Events WeChat pushes that need no answer: each gets "success" and changes nothing.
UNANSWERED = [
    "kf_create_session", "kf_close_session", "kf_switch_session", "scancode_push",
    "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin",
    "location_select", "TEMPLATESENDJOBFINISH", "MASSSENDJOBFINISH", "VIEW",
    "view_miniprogram", "card_pass_check", "card_not_pass_check", "user_get_card",
    "user_del_card", "user_consume_card", "user_view_card", "user_enter_session_from_card",
    "card_sku_remind", "user_info_modified", "user_authorization_revoke", "LOCATION",
    "poi_check_notify", "qualification_verify_success", "naming_verify_fail",
]


async def identity_of(services: Any, user: str) -> Identity | None:
    async with services.database.sessions() as session:
        found: Identity | None = await session.scalar(
            select(Identity).where(Identity.external_id == user))
    return found


@pytest.mark.parametrize("event", UNANSWERED)
async def test_events_we_do_not_handle_get_success_and_no_reply(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock, event: str
) -> None:
    wx = server(client, fake, clock)
    before = await counts(services)
    answer = await wx.post(event_xml("oUser-ev", event, int(clock.now.timestamp()), "k1"))
    assert (answer.status_code, answer.text) == (200, "success")
    assert await counts(services) == before


def consent_xml(user: str, created: int, event: str, block: str, items: list[str]) -> str:
    body = "".join(f"<List>{item}</List>" for item in items)
    return (f"<xml><ToUserName>gh_weiquan</ToUserName><FromUserName>{user}</FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType>event</MsgType>"
            f"<Event>{event}</Event><{block}>{body}</{block}></xml>")


async def test_subscription_consents_are_recorded_without_a_reply(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    user, ts = "oUser-consent", int(clock.now.timestamp())
    popup = consent_xml(user, ts, "subscribe_msg_popup_event", "SubscribeMsgPopupEvent", [
        "<TemplateId>TPL-A</TemplateId><SubscribeStatusString>accept</SubscribeStatusString>"
        "<PopupScene>2</PopupScene>",
        "<TemplateId>TPL-B</TemplateId><SubscribeStatusString>reject</SubscribeStatusString>"
        "<PopupScene>2</PopupScene>",
    ])
    assert (await wx.post(popup)).text == "success"
    identity = await identity_of(services, user)
    assert identity is not None
    assert identity.notice_consents == {"TPL-A": "accept", "TPL-B": "reject"}
    change = consent_xml(user, ts + 1, "subscribe_msg_change_event", "SubscribeMsgChangeEvent",
                         ["<TemplateId>TPL-A</TemplateId>"
                          "<SubscribeStatusString>reject</SubscribeStatusString>"])
    assert (await wx.post(change)).text == "success"
    sent = consent_xml(user, ts + 2, "subscribe_msg_sent_event", "SubscribeMsgSentEvent",
                       ["<TemplateId>TPL-C</TemplateId><MsgID>1700</MsgID>"
                        "<ErrorCode>43101</ErrorCode><ErrorStatus>failed:user refuse"
                        "</ErrorStatus>"])
    assert (await wx.post(sent)).text == "success"
    identity = await identity_of(services, user)
    assert identity is not None
    assert identity.notice_consents == {"TPL-A": "reject", "TPL-B": "reject", "TPL-C": "reject"}
    assert await state_of(services, user) == "start"  # the dialog did not move


async def test_a_scan_in_the_middle_of_a_draft_asks_the_current_step_again(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    user = "oUser-scan"
    await walk_to(wx, services, user, "merchant_name", "hi")
    clock.advance(seconds=5)
    reply = wx.content(await wx.post(
        event_xml(user, "SCAN", int(clock.now.timestamp()), "42")))
    assert await state_of(services, user) == "merchant_name"
    assert "name of the merchant" in reply


async def test_two_clicks_in_one_second_are_two_events(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    user, ts = "oUser-clicks", int(clock.now.timestamp())
    helped = wx.content(await wx.post(event_xml(user, "CLICK", ts, "help")))
    listed = wx.content(await wx.post(event_xml(user, "CLICK", ts, "my_complaints")))
    assert helped != listed
    again = wx.content(await wx.post(event_xml(user, "CLICK", ts, "help")))  # WeChat's retry
    assert again == helped
    async with services.database.sessions() as session:
        keys = await session.scalar(select(func.count()).select_from(ProcessedMessage))
    assert keys == 2


async def test_msgid_spelt_msgID_is_accepted(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    msg_id = next_msg_id()
    xml = (f"<xml><ToUserName>gh_weiquan</ToUserName><FromUserName>oUser-id</FromUserName>"
           f"<CreateTime>{int(clock.now.timestamp())}</CreateTime><MsgType>text</MsgType>"
           f"<Content>hi</Content><MsgID>{msg_id}</MsgID></xml>")
    first = wx.content(await wx.post(xml))
    assert "1. " in first
    assert wx.content(await wx.post(xml)) == first
    async with services.database.sessions() as session:
        key = await session.scalar(select(ProcessedMessage.message_key))
    assert key == str(msg_id)


async def test_follow_and_click_open_only_the_short_window(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock
) -> None:
    wx = server(client, fake, clock)
    user = "oUser-window"
    await wx.post(event_xml(user, "subscribe", int(clock.now.timestamp())))
    identity = await identity_of(services, user)
    assert identity is not None
    assert identity.last_inbound_at is None  # no 48-hour window from an event
    assert identity.last_interaction_at == clock.now
    clock.advance(seconds=30)
    await wx.say(user, "hi")
    identity = await identity_of(services, user)
    assert identity is not None and identity.last_inbound_at == clock.now


@pytest.mark.parametrize("language", ["zh-CN", "en"])
async def test_the_summary_with_a_long_description_fits_one_passive_reply(
    client: httpx.AsyncClient, services: Any, fake: FakeWeChat, clock: Clock, language: str
) -> None:
    reconfigure(services, aes_key=AES_KEY)
    wx = server(client, fake, clock, safe=True)
    user = f"oUser-long-{language}"
    long = ("冰箱送到第二天就不制冷了，商家拒绝退货。" * 50)[:1000]
    await wx.say(user, "中文" if language == "zh-CN" else "English")
    await walk_to(wx, services, user, "description", "1")
    reply = await wx.say(user, long)
    answers = {"demands": "1", "evidence": "skip", "contact_name": "张三",
               "contact_phone": "13812345678", "consent_share": "1"}
    for _ in range(10):
        state = await state_of(services, user)
        if state == "confirm":
            break
        reply = await wx.say(user, answers[str(state)])
    assert await state_of(services, user) == "confirm"
    # The decrypted XML's Content: the whole summary, its question and every choice.
    assert len(reply.encode("utf-8")) <= 2048
    assert long not in reply and long[:20] in reply
    assert [line[:3] for line in reply.splitlines()[-3:]] == ["1. ", "2. ", "3. "]
    question = "确认提交、修改某项" if language == "zh-CN" else "Submit it, change an item"
    assert question in reply
    shown = await wx.say(user, "查看 9" if language == "zh-CN" else "show 9")
    assert long[:300] in shown and len(shown.encode("utf-8")) <= 2048
    assert shown.splitlines()[-1].startswith("3. ")
