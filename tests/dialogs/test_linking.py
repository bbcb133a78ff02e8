"""Linking channels in the dialog: 绑定 / link in every state, confirm, refusals, texts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dialogs.command_results import LinkRefused
from dialogs.commands import CheckLinkCode, IssueLinkCode, RedeemLinkCode
from dialogs.conversation import Conversation
from dialogs.machine import MACHINE

from .helpers import NOW, Bot, press
from .test_flows import walk
from .test_robustness import snapshots
from .test_texts import CJK

DRAFT_TO_ADDRESS = ["hi", "1", "1", "1", "否", "店名"]  # complaint … merchant_address


def test_link_gives_a_code_and_stays_on_the_menu() -> None:
    bot = Bot()
    bot.send("hi")
    bot.send("绑定")
    assert bot.commands == [IssueLinkCode()]
    code = bot.replies[0].text
    # 12:00 in Beijing: the code is good until 12:10 local time.
    assert "123456" in code and "10 分钟" in code and "12:10" in code and "绑定 123456" in code
    assert bot.state == "menu" and bot.last.step == "menu"


def test_expiry_is_shown_on_the_local_clock_past_midnight() -> None:
    bot = Bot(now=datetime(2026, 11, 22, 15, 55, tzinfo=UTC))  # 23:55 in Beijing
    bot.send("link")
    assert "00:05" in bot.replies[0].text


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("state", sorted(MACHINE.states))
def test_link_words_work_in_every_state_in_both_languages(state: str, language: str) -> None:
    conv = replace(snapshots()[state], language=language, updated_at=NOW)
    for word in ("link", "绑定", "/link"):
        bot = Bot(conv=conv)
        bot.send(word)
        assert bot.commands == [IssueLinkCode()], (state, word)
        assert "123456" in bot.replies[0].text
        assert bot.state == state
        assert bot.conv.answers.get("draft") == conv.answers.get("draft")
    for entry in ("link 654321", "绑定 654321", "绑定６５４３２１", "link 654 321"):
        bot = Bot(conv=conv)
        bot.send(entry)
        assert bot.commands == [CheckLinkCode("654321")], (state, entry)
        assert bot.state == "link_confirm"
        if language == "en":
            assert not CJK.search(bot.last.text)


def test_entering_a_code_mid_draft_links_after_yes_and_returns_to_the_draft() -> None:
    bot = Bot()
    walk(bot, DRAFT_TO_ADDRESS)
    assert bot.state == "merchant_address"
    bot.send("绑定 654321")
    assert bot.state == "link_confirm"
    assert "Telegram" in bot.last.text and [c.id for c in bot.last.choices] == ["yes", "no"]
    bot.send(press("yes", "link_confirm"))
    assert bot.commands[-1] == RedeemLinkCode(7)
    assert "绑定成功" in bot.replies[0].text
    assert bot.state == "merchant_address" and bot.last.step == "merchant_address"
    assert bot.conv.answers["draft"]["merchant_name"] == "店名"
    assert "link_pending" not in bot.conv.answers


@pytest.mark.parametrize("answer", ["no", "否", "back", "取消"])
def test_no_back_or_cancel_at_the_question_links_nothing(answer: str) -> None:
    bot = Bot()
    walk(bot, DRAFT_TO_ADDRESS)
    bot.send("link 654321")
    bot.send(answer)
    assert not any(isinstance(c, RedeemLinkCode) for c in bot.commands)
    assert "没有绑定" in bot.replies[0].text
    assert bot.state == "merchant_address"


def test_a_first_message_with_a_code_returns_to_the_menu() -> None:
    bot = Bot(options=replace(Bot().options, default_language="en"))
    bot.send("link 654321")
    assert bot.state == "link_confirm" and "Link this chat with your Telegram account" in (
        bot.last.text
    )
    bot.send("yes")
    assert "Linked" in bot.replies[0].text and bot.state == "menu"


def test_a_code_of_the_wrong_length_is_explained_and_not_checked() -> None:
    bot = Bot()
    bot.send("hi")
    bot.send("link 12345")
    assert bot.commands == [] and "6 位数字" in bot.replies[0].text
    assert bot.state == "menu"


def test_link_followed_by_words_is_an_ordinary_answer() -> None:
    bot = Bot()
    walk(bot, ["hi", "1", "1", "1", "no"])
    bot.send("Link Mobile Ltd")
    assert bot.conv.answers["draft"]["merchant_name"] == "Link Mobile Ltd"


@pytest.mark.parametrize(
    ("refusal", "says"),
    [
        (LinkRefused("wrong", tries_left=3), "还可以再试 3 次"),
        (LinkRefused("locked", until=NOW + timedelta(minutes=42)), "42 分钟后（12:42 以后）"),
        (LinkRefused("expired"), "已过期或已经用过"),
        (LinkRefused("own_code"), "在这个对话里生成"),
        (LinkRefused("already_linked"), "已经绑定"),
        (LinkRefused("busy"), "出了点问题"),
    ],
)
def test_refusals_are_explained_and_keep_the_state(refusal: LinkRefused, says: str) -> None:
    bot = Bot(refuse_link=refusal)
    walk(bot, DRAFT_TO_ADDRESS)
    bot.send("绑定 111111")
    assert says in bot.replies[0].text
    assert bot.state == "merchant_address" and bot.last.step == "merchant_address"


def test_wrong_code_in_english() -> None:
    bot = Bot(conv=Conversation(state="menu", language="en", language_chosen=True))
    bot.send("link 999999")
    assert "not correct" in bot.replies[0].text and "4 tries left" in bot.replies[0].text


def test_a_code_spent_before_yes_is_refused_and_returns() -> None:
    bot = Bot(refuse_redeem=LinkRefused("expired"))
    walk(bot, DRAFT_TO_ADDRESS)
    bot.send("link 654321")
    bot.send("yes")
    assert "已过期" in bot.replies[0].text
    assert bot.state == "merchant_address" and "link_pending" not in bot.conv.answers


def test_a_tampered_pending_link_is_not_redeemed() -> None:
    bot = Bot(conv=Conversation(state="link_confirm", answers={"link_pending": {"code_id": "x"}},
                                updated_at=NOW))
    bot.send("yes")
    assert not any(isinstance(c, RedeemLinkCode) for c in bot.commands)
    assert bot.state == "menu"
