"""The WeChat sender against the fake WeChat API: routes, fallbacks and error codes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from adapters.wechat.adapter import WeChatApi
from adapters.wechat.sender import WeChatSender, seconds_to_quota_reset
from adapters.wechat.template import parse_fields
from adapters.wechat.token import SharedTokens
from dialogs.delivery import HoldForReply, Recipient, RetryLater, Undeliverable
from dialogs.replies import Choice, Reply
from storage.db import Database
from storage.kv import DatabaseKeyValues
from storage.leases import DatabaseLeases
from tests.fakes.wechat_api import FakeWeChat

CUSTOM, TEMPLATE = "message/custom/send", "message/template/send"
FIELDS = parse_fields("character_string1=number,phrase2=status,time3=date,thing4=summary")


def template_sender(api: WeChatApi, template_id: str = "TPL") -> WeChatSender:
    return WeChatSender(api, template_id, fields=FIELDS)
NOTICE = [Reply("Complaint 20261120000001 was accepted."),
          Reply("Rate it?", (Choice("5", "Very good"), Choice("1", "Bad")))]


def recipient(hours_ago: float | None = 1, pushes: int = 0) -> Recipient:
    last = None if hours_ago is None else datetime.now(UTC) - timedelta(hours=hours_ago)
    return Recipient(identity_id=1, platform="wechat", external_id="oUser-1", language="en",
                     last_inbound_at=last, pushes_since_inbound=pushes)


def tokens(database: Database, name: str, api: WeChatApi) -> SharedTokens:
    return SharedTokens(DatabaseKeyValues(database), DatabaseLeases(database), name,
                        api.fetch_token)


@pytest.fixture
def api(fake: FakeWeChat, database: Database) -> WeChatApi:
    wechat = WeChatApi(fake.app_id, fake.secret, fake.base_url)
    wechat.tokens = tokens(database, "wechat:test", wechat)
    return wechat


async def test_window_open_sends_a_customer_service_message(
    api: WeChatApi, fake: FakeWeChat
) -> None:
    delivered = await WeChatSender(api, "TPL").send(recipient(), NOTICE)
    assert delivered.via == "custom"
    [call] = fake.calls_to(CUSTOM)
    assert call.body is not None and call.body["touser"] == "oUser-1"
    assert call.body["msgtype"] == "text"
    assert call.body["text"]["content"] == (
        "Complaint 20261120000001 was accepted.\n\nRate it?\n1. Very good\n2. Bad"
    )
    assert call.params["access_token"] == "TOKEN-1"
    assert fake.calls_to(TEMPLATE) == []


@pytest.mark.parametrize("who", [recipient(hours_ago=49), recipient(hours_ago=None),
                                 recipient(hours_ago=1, pushes=5)],
                         ids=["48h passed", "never wrote", "5 pushes used"])
async def test_window_closed_sends_the_template(
    api: WeChatApi, fake: FakeWeChat, who: Recipient
) -> None:
    delivered = await template_sender(api, "TPL-ID").send(who, NOTICE)
    assert delivered.via == "template"
    assert fake.calls_to(CUSTOM) == []
    [call] = fake.calls_to(TEMPLATE)
    assert call.body is not None
    assert (call.body["touser"], call.body["template_id"]) == ("oUser-1", "TPL-ID")
    assert "first" not in call.body["data"] and "remark" not in call.body["data"]
    assert call.body["data"]["thing4"]["value"] == "Complaint 202611200…"  # 20 characters


async def test_window_closed_without_template_holds(api: WeChatApi, fake: FakeWeChat) -> None:
    with pytest.raises(HoldForReply):
        await WeChatSender(api, None).send(recipient(hours_ago=49), NOTICE)
    assert fake.calls_to(CUSTOM) == fake.calls_to(TEMPLATE) == []


@pytest.mark.parametrize("code", [45015, 45047])
async def test_window_errors_fall_back(api: WeChatApi, fake: FakeWeChat, code: int) -> None:
    fake.script(CUSTOM, code)
    assert (await template_sender(api).send(recipient(), NOTICE)).via == "template"
    fake.script(CUSTOM, code)
    with pytest.raises(HoldForReply):
        await WeChatSender(api, None).send(recipient(), NOTICE)


@pytest.mark.parametrize("code", [40001, 42001, 40014])
async def test_token_errors_refresh_once_and_retry(
    api: WeChatApi, fake: FakeWeChat, code: int
) -> None:
    sender = WeChatSender(api, None)
    await sender.send(recipient(), NOTICE)
    fake.script(CUSTOM, code)
    assert (await sender.send(recipient(), NOTICE)).via == "custom"
    assert len(fake.calls_to("token")) == 2
    assert [c.params["access_token"] for c in fake.calls_to(CUSTOM)] == [
        "TOKEN-1", "TOKEN-1", "TOKEN-2"
    ]
    fake.script(CUSTOM, code, code)
    with pytest.raises(RetryLater):
        await sender.send(recipient(), NOTICE)
    assert len(fake.calls_to("token")) == 3  # once per send, never a loop


async def test_daily_quota_stops_and_alerts(
    api: WeChatApi, fake: FakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script(CUSTOM, 45009)
    with caplog.at_level(logging.ERROR, logger="weiquan.wechat"), pytest.raises(RetryLater) as r:
        await WeChatSender(api, "TPL").send(recipient(), NOTICE)
    assert r.value.retry_after is not None and r.value.retry_after > 60
    assert any("operator alert" in rec.getMessage() for rec in caplog.records)
    assert fake.calls_to(TEMPLATE) == []  # no fallback burns more quota


@pytest.mark.parametrize(("code", "block"), [(43004, True), (43101, False), (40003, False)])
async def test_permanent_errors_are_undeliverable(
    api: WeChatApi, fake: FakeWeChat, code: int, block: bool
) -> None:
    fake.script(CUSTOM, code)
    with pytest.raises(Undeliverable) as gone:
        await WeChatSender(api, "TPL").send(recipient(), NOTICE)
    assert gone.value.block_identity is block
    assert str(code) in gone.value.reason


async def test_template_refused_by_the_consumer(api: WeChatApi, fake: FakeWeChat) -> None:
    fake.script(TEMPLATE, 43101)
    with pytest.raises(Undeliverable):
        await template_sender(api).send(recipient(hours_ago=60), NOTICE)


async def test_system_busy_retries(api: WeChatApi, fake: FakeWeChat) -> None:
    fake.script(CUSTOM, -1)
    with pytest.raises(RetryLater) as busy:
        await WeChatSender(api, "TPL").send(recipient(), NOTICE)
    assert "-1" in busy.value.reason


async def test_unreachable_wechat_retries(database: Database) -> None:
    api = WeChatApi("wx", "s", "http://127.0.0.1:9/cgi-bin/")
    api.tokens = tokens(database, "wechat:down", api)
    with pytest.raises(RetryLater):
        await WeChatSender(api, "TPL").send(recipient(), NOTICE)


def test_quota_resets_at_beijing_midnight() -> None:
    # 15:59 UTC is 23:59 in Beijing: one minute to midnight, plus the minute of slack.
    assert seconds_to_quota_reset(datetime(2026, 11, 20, 15, 59, tzinfo=UTC)) == 120


def interacted(seconds_ago: float, pushes: int = 0) -> Recipient:
    return Recipient(identity_id=1, platform="wechat", external_id="oUser-1", language="en",
                     last_inbound_at=None, pushes_since_inbound=0,
                     last_interaction_at=datetime.now(UTC) - timedelta(seconds=seconds_ago),
                     pushes_since_interaction=pushes)


@pytest.mark.parametrize(("seconds_ago", "pushes", "via"), [
    (20, 0, "custom"),
    (20, 2, "custom"),
    (20, 3, "template"),
    (61, 0, "template"),
], ids=["20 s after a click", "third push", "fourth push", "after a minute"])
async def test_a_follow_click_or_scan_opens_one_minute_and_three_messages(
    api: WeChatApi, fake: FakeWeChat, seconds_ago: float, pushes: int, via: str
) -> None:
    who = interacted(seconds_ago, pushes)  # built now: the window is measured from it
    assert (await template_sender(api).send(who, NOTICE)).via == via


async def test_template_without_field_mapping_holds(api: WeChatApi, fake: FakeWeChat) -> None:
    # Since 2023-05-04 only keyword fields show: a template without them would be empty.
    with pytest.raises(HoldForReply):
        await WeChatSender(api, "TPL").send(recipient(hours_ago=60), NOTICE)
    assert fake.calls_to(TEMPLATE) == []


async def test_template_fields_are_short_single_lines_with_a_progress_link(
    api: WeChatApi, fake: FakeWeChat
) -> None:
    from dialogs.delivery import NoticeFacts

    links: list[tuple[int, str]] = []

    def link(identity_id: int, number: str) -> str:
        links.append((identity_id, number))
        return f"https://weiquan.example/progress/T-{identity_id}-{number}"

    sender = WeChatSender(api, "TPL", fields=FIELDS, progress_link=link)
    facts = NoticeFacts(number="20261120000001", status="accepted",
                        summary="We called the shop.\nThey will refund you within 7 days, "
                                "please keep the receipt.",
                        at=datetime(2026, 11, 20, 16, 30, tzinfo=UTC))
    zh = Recipient(identity_id=7, platform="wechat", external_id="oUser-7", language="zh-CN",
                   last_inbound_at=None, pushes_since_inbound=0)
    assert (await sender.send(zh, NOTICE, facts)).via == "template"
    [call] = fake.calls_to(TEMPLATE)
    assert call.body is not None
    data = {k: v["value"] for k, v in call.body["data"].items()}
    assert data == {
        "character_string1": "20261120000001",
        "phrase2": "已受理",
        "time3": "2026年11月21日 00:30",  # Beijing time, the next day
        "thing4": "We called the shop.…",
    }
    assert all("\n" not in v for v in data.values())
    assert len(data["thing4"]) <= 20 and len(data["phrase2"]) <= 5
    assert call.body["url"] == "https://weiquan.example/progress/T-7-20261120000001"
    assert links == [(7, "20261120000001")]
