"""My complaints: list, detail, withdraw, add evidence, rate; staff-initiated entries."""

from __future__ import annotations

from dialogs.commands import (
    ListComplaints,
    RateComplaint,
    RecordEvidence,
    ShowComplaint,
    WithdrawComplaint,
)
from dialogs.intake import enter_add_evidence, enter_rating

from .helpers import NOW, Bot, photo


def test_empty_list_offers_to_file_one() -> None:
    bot = Bot()
    bot.send("我的投诉")
    assert isinstance(bot.commands[-1], ListComplaints)
    assert "还没有" in bot.replies[0].text
    assert bot.state == "menu" and bot.last.choices[0].id == "complaint"


def test_list_detail_withdraw() -> None:
    bot = Bot()
    bot.add_detail("WQ1", can_withdraw=True)
    bot.add_detail("WQ2", can_withdraw=False)
    bot.send("/status")
    assert bot.state == "my_list"
    assert [c.id for c in bot.last.choices] == ["WQ1", "WQ2"]
    assert "家用电器" in bot.last.choices[0].label and "已受理" in bot.last.choices[0].label
    bot.send("1")
    assert isinstance(bot.commands[-1], ShowComplaint) and bot.state == "my_detail"
    assert "WQ1" in bot.replies[0].text and "处理进展" in bot.replies[0].text
    assert [c.id for c in bot.last.choices] == ["add_evidence", "withdraw", "back"]
    bot.send("撤回投诉")
    assert bot.state == "confirm_withdraw"
    bot.send("否")
    assert bot.state == "my_detail" and not any(
        isinstance(c, WithdrawComplaint) for c in bot.commands)
    bot.send("withdraw")
    bot.send("是")
    assert bot.commands[-1] == WithdrawComplaint("WQ1")
    assert "已撤回" in bot.replies[0].text and bot.state == "menu"


def test_withdraw_refused_when_not_allowed() -> None:
    bot = Bot()
    bot.add_detail("WQ2", can_withdraw=False)
    bot.send("my complaints")
    bot.send("WQ2")
    bot.send("撤回投诉")
    assert "不能撤回" in bot.replies[0].text and bot.state == "my_detail"


def test_back_from_detail_lists_again() -> None:
    bot = Bot()
    bot.add_detail("WQ1")
    walk = ["查询", "1", "返回"]
    for m in walk:
        bot.send(m)
    assert bot.state == "my_list" and isinstance(bot.commands[-1], ListComplaints)
    bot.send("back")
    assert bot.state == "menu"


def test_add_evidence_from_detail() -> None:
    bot = Bot()
    bot.add_detail("WQ1")
    for m in ["查询", "1", "补充证据"]:
        bot.send(m)
    assert bot.state == "adding_evidence" and "WQ1" in bot.last.text
    file = photo()
    bot.send(file)
    assert bot.commands[-1] == RecordEvidence(file, complaint_number="WQ1")
    assert "1 个证据文件" in bot.replies[0].text
    bot.send("完成")
    assert bot.state == "my_detail"


def test_rate_with_and_without_comment() -> None:
    bot = Bot()
    bot.add_detail("WQ1", status="resolved", can_rate=True, can_withdraw=False)
    for m in ["查询", "1", "评价", "5", "处理得很及时，谢谢！"]:
        bot.send(m)
    assert bot.commands[-1] == RateComplaint("WQ1", 5, "处理得很及时，谢谢！")
    assert "感谢" in bot.replies[0].text and bot.state == "menu"
    for m in ["查询", "1", "rate", "6"]:
        bot.send(m)
    assert bot.state == "rating"
    for m in ["2", "跳过"]:
        bot.send(m)
    assert bot.commands[-1] == RateComplaint("WQ1", 2, None)


def test_rate_not_offered_before_resolution() -> None:
    bot = Bot()
    bot.add_detail("WQ1")
    for m in ["查询", "1", "评价"]:
        bot.send(m)
    assert "还不能评价" in bot.replies[0].text and bot.state == "my_detail"


def test_staff_requests_evidence_mid_draft() -> None:
    bot = Bot()
    bot.add_detail("WQ9")
    for m in ["hi", "1", "1", "1", "否"]:
        bot.send(m)
    assert bot.state == "merchant_name"
    bot.run(enter_add_evidence(bot.conv, "WQ9", now=NOW, options=bot.options))
    assert bot.state == "adding_evidence" and "WQ9" in bot.last.text
    file = photo()
    bot.send(file)
    assert bot.commands[-1] == RecordEvidence(file, complaint_number="WQ9")
    bot.send("done")
    assert bot.state == "merchant_name" and bot.last.step == "merchant_name"
    assert bot.conv.answers["draft"]["category"] == "appliances"


def test_rating_entry_from_staff() -> None:
    bot = Bot()
    bot.add_detail("WQ3", status="closed", can_rate=True)
    bot.send("hi")
    bot.run(enter_rating(bot.conv, "WQ3", now=NOW, options=bot.options))
    assert bot.state == "rating" and [c.id for c in bot.last.choices] == list("12345")
    bot.send("4")
    bot.send("skip")
    assert bot.commands[-1] == RateComplaint("WQ3", 4, None)
    assert bot.state == "menu"


def test_unknown_complaint_is_not_found() -> None:
    bot = Bot()
    bot.add_detail("WQ1")
    bot.send("查询")
    del bot.details["WQ1"]
    bot.send("1")
    assert "找不到" in bot.replies[0].text and bot.state == "menu"


def test_rating_from_detail_via_staff_returns_to_the_detail() -> None:
    bot = Bot()
    bot.add_detail("WQ1", status="resolved", can_rate=True)
    for m in ["查询", "1"]:
        bot.send(m)
    bot.run(enter_rating(bot.conv, "WQ1", now=NOW, options=bot.options))
    bot.send("3")
    bot.send("x" * 600)
    assert "500" in bot.replies[0].text and bot.state == "rating_comment"
    bot.send("还行")
    assert bot.commands[-2] == RateComplaint("WQ1", 3, "还行")
    assert bot.state == "my_detail" and isinstance(bot.commands[-1], ShowComplaint)
