"""Walk every path of the intake flow through step/apply_result."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from dialogs.commands import DiscardDraftEvidence, FileComplaint, RecordEvidence
from dialogs.conversation import Conversation
from dialogs.draft import Draft
from dialogs.events import (
    ContactShared,
    LocationMessage,
    MenuClicked,
    Subscribed,
    Unsubscribed,
    Unsupported,
)
from dialogs.intake import DialogOptions

from .helpers import NOW, Bot, base, photo, press, text

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

COMPLAINT_SCRIPT = [
    "你好", "1", "appliances", "1", "否", "苏宁易购", "北京市朝阳区某某路 1 号", "SN-2026-001",
    "11月20日", "¥3,999", "空调买回来三天就不制冷了，商家拒绝退货。", "1 3", photo(), photo(),
    "完成", "张三", "13812345678", "是",
]
COMPLAINT_DRAFT = Draft(
    type="complaint", category="appliances", subcategory="large_appliance",
    merchant_name="苏宁易购", merchant_address="北京市朝阳区某某路 1 号",
    order_number="SN-2026-001", incident_date=date(2026, 11, 20), amount=Decimal("3999.00"),
    description="空调买回来三天就不制冷了，商家拒绝退货。", demands=("refund", "exchange"),
    contact_name="张三", contact_phone="+8613812345678", consent_share=True,
    language="zh-CN",
)


def walk(bot: Bot, script: list[Any]) -> None:
    for message in script:
        bot.send(message)


def test_complaint_files_the_exact_draft() -> None:
    bot = Bot()
    walk(bot, COMPLAINT_SCRIPT)
    assert bot.state == "confirm"
    assert "苏宁易购" in bot.last.text and [c.id for c in bot.last.choices] == [
        "confirm", "edit", "cancel"]
    assert bot.evidence[None] == 2
    bot.send("确认提交")
    assert bot.filed == [COMPLAINT_DRAFT]
    joined = bot.all_text
    assert "WQ202611220001" in joined and "2026年12月1日" in joined and "2027年2月26日" in joined
    assert "我的投诉" in joined
    assert bot.state == "menu"
    assert "draft" not in bot.conv.answers


def test_report_anonymous() -> None:
    bot = Bot()
    walk(bot, ["/start", "2", "15", "某某网店", "这家店在卖假冒的名牌包，价格很低。",
               photo(), "done", "anonymous", "confirm"])
    assert bot.filed == [Draft(
        type="report", category="other", merchant_name="某某网店",
        description="这家店在卖假冒的名牌包，价格很低。", language="zh-CN",
    )]


def test_report_with_contact() -> None:
    bot = Bot()
    walk(bot, ["menu", "report", "food", "drinks", "某超市", "出售过期饮料，生产日期是两年前。",
               "跳过", "2", "李四", "+44 7911 123456", "1"])
    draft = bot.filed[0]
    assert draft.contact_name == "李四" and draft.contact_phone == "+447911123456"
    assert draft.subcategory == "drinks" and draft.consent_share is False


@pytest.mark.parametrize("type_id", ["consultation", "suggestion"])
def test_consultation_and_suggestion(type_id: str) -> None:
    bot = Bot()
    walk(bot, ["hi", type_id, "education", "online_course",
               "网课退费一般需要多长时间？商家说要三个月。", "leave_contact", "王五",
               "13912345678", "1"])
    assert bot.filed == [Draft(
        type=type_id, category="education", subcategory="online_course",
        description="网课退费一般需要多长时间？商家说要三个月。",
        contact_name="王五", contact_phone="+8613912345678", language="zh-CN",
    )]


def test_english_full_flow_has_no_chinese() -> None:
    bot = Bot(options=DialogOptions(default_language="en"))
    seen: list[str] = []
    script = ["hi", "File a complaint", "Household appliances", "2", "no", "Best Shop",
              LocationMessage(**base(), latitude=39.9, longitude=116.4, label="Best Shop, Mall 3"),
              "skip", "yesterday", "RMB 120", "The kettle broke after two days of use.",
              "refund, apology", photo(), "done", "Ann Smith",
              ContactShared(**base(), phone="+8613812345678"), "no", "help", "1"]
    for message in script:
        for reply in bot.send(message):
            seen.append(reply.text + " ".join(c.label for c in reply.choices))
    bot.send("my complaints")
    seen.extend(r.text + " ".join(c.label for c in r.choices) for r in bot.replies)
    assert bot.filed[0].merchant_address == "Best Shop, Mall 3"
    assert bot.filed[0].incident_date == date(2026, 11, 21)
    assert bot.filed[0].demands == ("refund", "apology")
    assert bot.filed[0].language == "en"
    assert [s for s in seen if CJK.search(s)] == []


def test_language_hint_and_switch_mid_flow() -> None:
    bot = Bot()
    bot.send(text("hi", language_hint="en-GB"))
    assert bot.conv.language == "en" and "What would you like" in bot.last.text
    walk(bot, ["1", "3"])
    assert bot.state == "subcategory"
    bot.send("中文")
    assert bot.conv.language == "zh-CN" and bot.conv.language_chosen
    assert bot.state == "subcategory" and "细类" in bot.last.text
    bot.send(text("2", language_hint="en"))  # a chosen language beats the hint
    assert bot.conv.language == "zh-CN" and bot.state == "handled_elsewhere"
    bot.send("否")
    assert bot.state == "merchant_name"
    bot.send("语言")
    assert bot.state == "language"
    bot.send("2")
    assert bot.conv.language == "en" and bot.state == "merchant_name"
    assert "merchant" in bot.last.text


def test_back_keeps_answers() -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1", "1", "否", "国美电器", "跳过"])
    assert bot.state == "order_number"
    bot.send("返回")
    assert bot.state == "merchant_address"
    bot.send("back")
    assert bot.state == "merchant_name"
    assert bot.conv.answers["draft"]["merchant_name"] == "国美电器"
    walk(bot, ["国美电器2", "跳过", "跳过"])
    assert bot.state == "incident_date"
    for _ in range(5):
        bot.send("上一步")
    assert bot.state == "subcategory"
    bot.send("back")
    bot.send("back")
    assert bot.state == "menu"


def test_back_skips_steps_that_do_not_apply() -> None:
    bot = Bot()
    walk(bot, ["hi", "2", "other", "some shop", "这家店卖假货，还不给退。"])
    assert bot.state == "evidence"
    walk(bot, ["back", "back"])
    assert bot.state == "merchant_name"
    bot.send("back")
    assert bot.state == "category"


@pytest.mark.parametrize(("answer", "state", "discarded"),
                         [("是", "menu", True), ("no", "merchant_name", False)])
def test_cancel_asks_first(answer: str, state: str, discarded: bool) -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1", "1", "否", "取消"])
    assert bot.state == "cancel_confirm"
    bot.send(answer)
    assert bot.state == state
    assert any(isinstance(c, DiscardDraftEvidence) for c in bot.commands) is discarded
    assert ("draft" in bot.conv.answers) is not discarded


def test_edit_item_from_summary() -> None:
    bot = Bot()
    walk(bot, COMPLAINT_SCRIPT)
    bot.send("修改 8")
    assert bot.state == "amount"
    bot.send("4999")
    assert bot.state == "confirm" and "4999.00" in bot.last.text
    bot.send("edit")
    assert bot.state == "edit_pick"
    bot.send("1")  # category: the subcategory must be chosen again
    bot.send("food")
    assert bot.state == "subcategory"
    bot.send("1")
    assert bot.state == "confirm"
    bot.send("confirm")
    assert bot.filed[0] == replace(
        COMPLAINT_DRAFT, amount=Decimal("4999.00"), category="food",
        subcategory="packaged_food",
    )


def test_edit_contact_mode_asks_the_new_steps() -> None:
    bot = Bot()
    walk(bot, ["hi", "4", "15", "希望商场多设一些无障碍通道和休息座椅。", "anonymous"])
    assert bot.state == "confirm"
    bot.send("修改3")
    bot.send("leave_contact")
    assert bot.state == "contact_name"
    walk(bot, ["赵六", "13812345678"])
    assert bot.state == "confirm"
    bot.send("1")
    assert bot.filed[0].contact_phone == "+8613812345678"


def test_invalid_answers_hint_then_help_after_three() -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1", "1", "否", "店铺", "跳过", "跳过"])
    bot.send("2030-01-01")
    assert "不能晚于今天" in bot.replies[0].text
    assert bot.state == "incident_date"
    bot.send("whenever")
    assert not any("帮助" in r.text for r in bot.replies)
    bot.send("???")
    assert any("这一步好像不太顺利" in r.text for r in bot.replies)
    assert bot.last.step == "incident_date"
    bot.send("今天")
    assert bot.state == "amount"


def test_help_gives_context_then_the_question() -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1", "1", "否", "店名", "跳过", "跳过", "今天"])
    bot.send("帮助")
    assert "元" in bot.replies[0].text and bot.last.step == "amount"
    bot.send("/help")
    assert bot.state == "amount"


@pytest.mark.parametrize(("answer", "state"), [("继续填写", "amount"), ("2", "category")])
def test_resume_after_a_day(answer: str, state: str) -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1", "1", "否", "店名", "跳过", "跳过", "今天", photo()])
    bot.now = NOW + timedelta(hours=25)
    bot.send("3999")
    assert bot.state == "resume" and "未完成" in bot.last.text
    bot.send(answer)
    assert bot.state == state
    if state == "amount":
        assert bot.last.step == "amount"
        assert bot.conv.answers["draft"]["merchant_name"] == "店名"
    else:
        assert isinstance(bot.commands[-1], DiscardDraftEvidence)
        assert bot.conv.answers["draft"] == {}


def test_no_resume_question_within_the_window() -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1", "1", "否"])
    bot.now = NOW + timedelta(hours=23)
    bot.send("店名")
    assert bot.state == "merchant_address"


def test_stale_button_is_answered_gently() -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1"])
    bot.send(press("food", "category"))
    assert bot.state == "subcategory" and "已经过去" in bot.replies[0].text
    bot.send(press("1", "subcategory"))
    bot.send(press("large_appliance", "subcategory"))
    assert bot.state == "handled_elsewhere"


def test_evidence_step() -> None:
    bot = Bot(options=DialogOptions(max_evidence_files=2))
    walk(bot, ["hi", "1", "1", "1", "否", "店名", "跳过", "跳过", "今天", "100",
               "这是一段足够长的描述文字。", "1"])
    bot.send("这是照片")
    assert "照片或文件" in bot.replies[0].text and bot.state == "evidence"
    bot.send(photo())
    assert isinstance(bot.commands[-1], RecordEvidence)
    assert bot.commands[-1].complaint_number is None
    bot.send(photo())
    assert bot.state == "contact_name"  # the limit moves on by itself
    bot.send("back")
    bot.send(photo())
    assert "上限" in bot.all_text and bot.state == "evidence"
    other = Bot(refuse_evidence="too_large")
    walk(other, ["hi", "1", "1", "1", "否", "店名", "跳过", "跳过", "今天", "100",
                 "这是一段足够长的描述文字。", "1", photo()])
    assert "太大" in other.all_text and other.state == "evidence"
    assert other.last.step == "evidence"


def test_phone_step_offers_contact_and_refuses_others() -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1", "1", "否", "店名", "跳过", "跳过", "今天", "100",
               "这是一段足够长的描述文字。", "1", "跳过", "张三"])
    assert bot.last.request_contact
    bot.send(ContactShared(**base(), phone="+8613812345678", is_own=False))
    assert "本人" in bot.replies[0].text and bot.state == "contact_phone"
    bot.send(ContactShared(**base(), phone="13812345678", name="张三"))
    assert bot.state == "consent_share"


def test_platform_events() -> None:
    bot = Bot()
    bot.send(Subscribed(**base()))
    assert bot.state == "menu" and "感谢关注" in bot.replies[0].text
    bot.send(MenuClicked(**base(), key="complain"))
    assert bot.state == "category"
    bot.send(Unsupported(**base(), description="sticker"))
    assert "文字或照片" in bot.replies[0].text and bot.last.step == "category"
    bot.send(MenuClicked(**base(), key="help"))
    assert bot.state == "category"
    result = bot.send(Unsubscribed(**base()))
    assert result == [] and type(bot.commands[-1]).__name__ == "MarkUnsubscribed"


def test_voice_text_counts_as_text() -> None:
    bot = Bot()
    bot.send(text("我要投诉", from_voice=True))
    assert bot.state == "category"


def test_new_consumer_gets_the_default_language() -> None:
    bot = Bot(options=DialogOptions(default_language="en"))
    bot.conv = Conversation()
    bot.send("hello")
    assert bot.conv.language == "en"
    assert bot.conv.updated_at == NOW


def test_restart_starts_the_same_type_again() -> None:
    bot = Bot()
    walk(bot, ["hi", "2", "1", "1", "某商家"])
    bot.send("重新开始")
    assert bot.state == "category" and bot.conv.answers["type"] == "report"
    assert bot.conv.answers["draft"] == {}
    assert isinstance(bot.commands[-1], DiscardDraftEvidence)
    bot.send("/new")
    assert bot.state == "category" and bot.conv.answers["type"] == "complaint"
    bot.send("menu")
    assert bot.state == "menu"
    bot.send("restart")
    assert bot.state == "menu"


def test_invalid_counter_is_per_question() -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1", "1", "否", "店铺", "跳过", "跳过", "bad", "bad", "今天"])
    assert bot.conv.answers["invalid"] == 0
    bot.send("nope")
    assert not any("不太顺利" in r.text for r in bot.replies)


def test_filing_refused_keeps_the_draft() -> None:
    from dialogs.command_results import Refused
    from dialogs.intake import apply_result

    bot = Bot()
    walk(bot, COMPLAINT_SCRIPT)
    after = apply_result(bot.conv, FileComplaint(Draft(type="complaint")),
                         Refused("not_found"), now=NOW, options=bot.options)
    assert after.conversation.state == "confirm"
    assert after.conversation.answers["draft"]["merchant_name"] == "苏宁易购"
    assert "未能提交" in after.replies[0].text
