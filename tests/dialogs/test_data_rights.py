"""Data rights in the dialog: 我的数据 / my data, 删除我的数据 / delete my data and
撤回同意 / withdraw consent, in every state and both languages."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogs.commands import EraseMyData, ExportMyData, ListConsentCases, WithdrawConsent
from dialogs.data_rights import DATA_STATES
from dialogs.machine import MACHINE

from .helpers import NOW, Bot, press
from .test_flows import walk
from .test_robustness import snapshots
from .test_texts import CJK

DRAFT_TO_ADDRESS = ["hi", "1", "1", "1", "否", "店名"]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("state", sorted(MACHINE.states))
def test_my_data_works_in_every_state_in_both_languages(state: str, language: str) -> None:
    conv = replace(snapshots()[state], language=language, updated_at=NOW)
    for word in ("我的数据", "my data", "My Data", "/mydata"):
        bot = Bot(conv=conv)
        bot.send(word)
        assert bot.commands == [ExportMyData()], (state, word)
        assert bot.state == state
        assert bot.conv.answers.get("draft") == conv.answers.get("draft")
        assert [r.attachment for r in bot.replies].count("my_data") == 1
        if language == "en":  # the summary and the download (the question may quote a draft)
            assert not CJK.search(bot.replies[0].text + bot.replies[1].text), state


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("state", sorted(MACHINE.states))
def test_delete_my_data_asks_first_in_every_state(state: str, language: str) -> None:
    conv = replace(snapshots()[state], language=language, updated_at=NOW)
    for word in ("删除我的数据", "delete my data"):
        bot = Bot(conv=conv)
        bot.send(word)
        assert bot.commands == [], (state, word)
        assert bot.state == "delete_confirm"
        assert [c.id for c in bot.last.choices] == ["yes", "no"]
        bot.send("no" if language == "en" else "否")
        assert bot.commands == []
        assert bot.state == (state if state not in {*DATA_STATES, "start"} else "menu")
        assert bot.conv.answers.get("draft") == conv.answers.get("draft")


def test_yes_erases_the_draft_and_says_what_is_kept_and_why() -> None:
    bot = Bot()
    walk(bot, DRAFT_TO_ADDRESS)
    bot.send("delete my data")
    bot.send(press("yes", "delete_confirm"))
    assert bot.commands[-1] == EraseMyData()
    assert bot.state == "menu"
    assert "draft" not in bot.conv.answers and "type" not in bot.conv.answers
    text = bot.all_text
    assert "已删除" in text and "20261120000001" in text and "3 年" in text
    assert "统计" in text  # kept: anonymous records, and why


def test_english_erasure_texts_are_english() -> None:
    bot = Bot()
    bot.send("english")
    bot.send("delete my data")
    bot.send("yes")
    assert "Erased" in bot.all_text and "statistics" in bot.all_text
    assert not CJK.search(bot.all_text)


@pytest.mark.parametrize("answer", ["cancel", "取消", "back"])
def test_cancel_or_back_at_the_question_erases_nothing(answer: str) -> None:
    bot = Bot()
    walk(bot, DRAFT_TO_ADDRESS)
    bot.send("删除我的数据")
    bot.send(answer)
    assert EraseMyData() not in bot.commands
    assert bot.state == "merchant_address"
    assert bot.conv.answers["draft"]["merchant_name"] == "店名"


def test_withdraw_consent_asks_which_case_when_several_are_open() -> None:
    bot = Bot()
    walk(bot, DRAFT_TO_ADDRESS)
    bot.send("撤回同意")
    assert bot.commands == [ListConsentCases()]
    assert bot.state == "consent_pick"
    assert [c.id for c in bot.last.choices] == ["20261120000001", "20261121000002"]
    bot.send("2")
    assert bot.commands[-1] == WithdrawConsent("20261121000002")
    assert "20261121000002" in bot.replies[0].text
    assert bot.state == "merchant_address"


def test_withdraw_consent_with_one_case_withdraws_it_at_once() -> None:
    bot = Bot(consent_cases=["20261120000001"])
    bot.send("hi")
    bot.send("withdraw consent")
    assert bot.commands == [ListConsentCases(), WithdrawConsent("20261120000001")]
    assert "no longer receives" in bot.replies[0].text or "不再" in bot.replies[0].text
    assert bot.state == "menu"


def test_withdraw_consent_without_shared_cases_says_so() -> None:
    bot = Bot(consent_cases=[])
    bot.send("english")
    bot.send("withdraw consent")
    assert bot.commands == [ListConsentCases()]
    assert "None of your open cases" in bot.replies[0].text
