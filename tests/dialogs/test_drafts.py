"""A draft is never dropped without asking: leaving it and starting a new request asks."""

from __future__ import annotations

from dialogs.commands import DiscardDraftEvidence
from dialogs.conversation import Conversation
from dialogs.events import MenuClicked, TextMessage

from .helpers import Bot, base, photo
from .test_flows import walk

TO_ADDRESS = ["hi", "1", "1", "1", "否", "店名"]  # a complaint, waiting at merchant_address


def discarded(bot: Bot) -> bool:
    return any(isinstance(c, DiscardDraftEvidence) for c in bot.commands)


def test_draft_left_for_my_complaints_is_offered_before_a_new_one() -> None:
    bot = Bot()
    bot.add_detail("WQ1")
    walk(bot, [*TO_ADDRESS, "我的投诉", "菜单", "1"])
    assert bot.state == "resume"
    assert "未提交" in bot.last.text and "投诉" in bot.last.text
    assert [c.id for c in bot.last.choices] == ["continue", "start_over"]
    assert not discarded(bot)
    bot.send("继续填写")
    assert bot.state == "merchant_address" and bot.last.step == "merchant_address"
    assert bot.conv.answers["draft"]["merchant_name"] == "店名"


def test_start_over_discards_the_old_draft_and_starts_the_new_type() -> None:
    bot = Bot()
    walk(bot, [*TO_ADDRESS, "menu", "2"])  # report
    assert bot.state == "resume"
    bot.send("start_over")
    assert discarded(bot)
    assert bot.conv.answers["type"] == "report" and bot.conv.answers["draft"] == {}
    assert bot.state == "category"


def test_menu_click_or_new_inside_a_draft_asks_first() -> None:
    for event in (MenuClicked(**base(), key="complain"), TextMessage(**base(), text="/new")):
        bot = Bot()
        walk(bot, TO_ADDRESS)
        bot.send(event)
        assert bot.state == "resume" and not discarded(bot)
        bot.send("1")
        assert bot.state == "merchant_address"


def test_evidence_alone_counts_as_a_draft() -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1", "1", "否", "店名", "跳过", "跳过", "今天", "100",
               "这是一段足够长的描述文字。", "1", photo(), "菜单", "投诉"])
    assert bot.state == "resume"


def test_a_draft_with_nothing_in_it_is_replaced_without_a_question() -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "menu", "2"])
    assert bot.state == "category" and bot.conv.answers["type"] == "report"


def test_after_filing_a_new_request_starts_at_once() -> None:
    bot = Bot()
    conv = Conversation(state="menu", answers={"invalid": 0})
    bot.conv = conv
    bot.send("1")
    assert bot.state == "category"


def test_english_question_names_both_requests() -> None:
    bot = Bot(conv=Conversation(language="en", language_chosen=True))
    walk(bot, [*TO_ADDRESS, "my complaints", "menu", "4"])
    assert bot.state == "resume"
    assert "Complaint" in bot.last.text and "Suggestion" in bot.last.text
    assert bot.last.choices[1].label == "Discard it, start new"


def test_a_parked_draft_without_its_question_resumes_at_the_first_open_step() -> None:
    answers = {"type": "complaint", "draft": {"category": "appliances",
                                              "subcategory": "large_appliance"},
               "done_steps": ["category", "subcategory"], "editing": False}
    bot = Bot(conv=Conversation(state="menu", answers=answers))
    bot.send("投诉")
    bot.send("1")
    assert bot.state == "handled_elsewhere"  # the first step not yet answered


def test_restart_at_the_question_starts_the_new_request() -> None:
    bot = Bot()
    walk(bot, [*TO_ADDRESS, "menu", "3", "restart"])
    assert bot.conv.answers["type"] == "consultation" and discarded(bot)
