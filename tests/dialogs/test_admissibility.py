"""Admissibility before filing: the three-year time limit and disputes accepted elsewhere."""

from __future__ import annotations

import pytest

from dialogs.commands import FileComplaint

from .helpers import Bot

START = ["hi", "1", "1", "1"]  # a complaint about large appliances
TO_DATE = ["否", "店名", "跳过", "跳过"]
TO_DATE_EN = ["no", "Shop", "skip", "skip"]


def test_old_date_warns_and_filing_anyway_goes_on() -> None:
    bot = Bot()
    for message in [*START, *TO_DATE, "2023-11-21"]:  # today is 2026-11-22 in Beijing
        bot.send(message)
    assert bot.state == "time_limit"
    assert "超过 3 年" in bot.last.text
    assert [c.id for c in bot.last.choices] == ["file_anyway", "consult_instead"]
    bot.send("1")
    assert bot.state == "amount"
    assert bot.conv.answers["draft"]["incident_date"] == "2023-11-21"


def test_three_years_to_the_day_is_still_in_time() -> None:
    bot = Bot()
    for message in [*START, *TO_DATE, "2023-11-22"]:
        bot.send(message)
    assert bot.state == "amount"


def test_old_date_can_become_a_consultation_keeping_the_answers() -> None:
    bot = Bot()
    bot.send("hi")
    bot.send("English")
    for message in ["1", "1", "1", *TO_DATE_EN, "2020-05-01"]:
        bot.send(message)
    assert bot.state == "time_limit"
    assert "likely outside the time limit" in bot.last.text
    bot.send("Ask a question instead")
    assert bot.conv.answers["type"] == "consultation"
    assert bot.state == "description"
    assert bot.conv.answers["draft"] == {"category": "appliances",
                                         "subcategory": "large_appliance"}
    for message in ["How long may I still ask for a refund?", "anonymous", "confirm"]:
        bot.send(message)
    [filed] = [c for c in bot.commands if isinstance(c, FileComplaint)]
    assert filed.draft.type == "consultation"


def test_back_from_the_time_limit_corrects_the_date() -> None:
    bot = Bot()
    for message in [*START, *TO_DATE, "2020-05-01", "返回"]:
        bot.send(message)
    assert bot.state == "incident_date"
    bot.send("今天")
    assert bot.state == "amount"


@pytest.mark.parametrize(("language", "yes", "expected"), [
    ("zh-CN", "是", "不能再作为投诉受理"),
    ("en", "yes", "cannot be accepted here as a complaint"),
])
def test_dispute_accepted_elsewhere_is_explained_and_offers_consultation(
    language: str, yes: str, expected: str
) -> None:
    bot = Bot()
    bot.send("hi")
    if language == "en":
        bot.send("English")
    for message in ["1", "1", "1"]:
        bot.send(message)
    assert bot.state == "handled_elsewhere"
    assert ("法院" if language == "zh-CN" else "court") in bot.last.text
    bot.send(yes)
    assert bot.state == "elsewhere_refused"
    assert expected in bot.last.text
    assert [c.id for c in bot.last.choices] == ["consult_instead", "change_answer"]
    bot.send("1")
    assert bot.conv.answers["type"] == "consultation" and bot.state == "description"


def test_a_wrong_yes_can_be_changed() -> None:
    bot = Bot()
    for message in [*START, "是", "修改回答"]:
        bot.send(message)
    assert bot.state == "handled_elsewhere"
    bot.send("否")
    assert bot.state == "merchant_name"


def test_the_answer_is_in_the_summary_and_editable() -> None:
    bot = Bot()
    for message in [*START, *TO_DATE, "今天", "100", "这是一段足够长的描述文字。", "1",
                    "跳过", "张三", "13812345678", "是"]:
        bot.send(message)
    assert bot.state == "confirm"
    assert "3. 是否已被其他机构受理：否" in bot.last.text
    bot.send("修改 3")
    assert bot.state == "handled_elsewhere"
    bot.send("是")
    assert bot.state == "elsewhere_refused"
