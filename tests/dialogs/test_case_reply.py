"""The reply window and open requests in the dialog, in both languages."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogs.command_results import ComplaintList, OpenRequest
from dialogs.commands import ListComplaints, RecordEvidence, SendCaseMessage
from dialogs.intake import (
    apply_result,
    drop_request,
    enter_add_evidence,
    enter_rating,
    open_reply_window,
)

from .helpers import NOW, Bot, photo, press

SENT = {"en": "Sent to the handler of complaint WQ1.", "zh-CN": "已发送给投诉 WQ1 的处理人员。"}
HELLO = {"en": "hi", "zh-CN": "你好"}
NO = {"en": "no", "zh-CN": "否"}


def staff_wrote(bot: Bot, number: str = "WQ1") -> None:
    bot.conv = open_reply_window(bot.conv, number, now=NOW, options=bot.options).conversation


def bot_in(language: str, **flags: object) -> Bot:
    bot = Bot()
    bot.add_detail("WQ1", can_reply=True, **flags)  # type: ignore[arg-type]
    bot.send("english" if language == "en" else "中文")
    bot.send("menu")
    return bot


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_free_text_after_a_staff_message_goes_to_the_case(language: str) -> None:
    bot = bot_in(language)
    staff_wrote(bot)
    bot.send("The receipt is lost, but I have the bank statement.")
    assert bot.commands[-1] == SendCaseMessage(
        "WQ1", "The receipt is lost, but I have the bank statement."
    )
    assert bot.case_messages == [("WQ1", "The receipt is lost, but I have the bank statement.")]
    assert bot.replies[0].text == SENT[language]
    assert bot.state == "menu" and bot.last.choices[0].id == "complaint"
    # The window was for one answer: the next free text is an ordinary invalid answer.
    bot.send("And one more thing")
    assert len(bot.case_messages) == 1


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_words_and_expected_answers_are_not_taken_as_messages(language: str) -> None:
    bot = bot_in(language)
    staff_wrote(bot)
    bot.send(HELLO[language])
    assert bot.state == "menu" and not bot.case_messages
    bot.send("1")  # a menu answer starts a complaint
    assert bot.state == "category" and not bot.case_messages
    bot.send("1")
    bot.send("1")
    assert bot.state == "handled_elsewhere"
    bot.send(NO[language])  # an expected answer, not a message
    assert bot.state == "merchant_name" and not bot.case_messages
    bot.send("Suning")  # free text this step expects is its answer
    assert bot.conv.answers["draft"]["merchant_name"] == "Suning" and not bot.case_messages
    for _ in range(3):  # merchant_name → handled_elsewhere → subcategory
        bot.send("返回" if language == "zh-CN" else "back")
    assert bot.state == "subcategory"
    bot.send("where do I send the bank statement?")  # not an answer here: to the case
    assert bot.case_messages == [("WQ1", "where do I send the bank statement?")]
    assert bot.replies[0].text == SENT[language]
    # The draft is kept and offered again when a new request starts.
    bot.send("1")
    assert bot.state == "resume"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_file_in_the_window_is_evidence_of_the_case(language: str) -> None:
    bot = bot_in(language)
    staff_wrote(bot)
    file = photo()
    bot.send(file)
    assert bot.commands[-1] == RecordEvidence(file, complaint_number="WQ1")
    assert "WQ1" in bot.replies[0].text and bot.state == "menu"
    assert bot.conv.answers["reply_window"] == {"number": "WQ1"}


@pytest.mark.parametrize(("language", "word"), [("en", "reply"), ("zh-CN", "回复")])
def test_reply_from_a_complaint_opens_the_window(language: str, word: str) -> None:
    bot = bot_in(language)
    for message in ["my complaints", "1"]:
        bot.send(message)
    assert "reply" in [c.id for c in bot.last.choices]
    bot.send(word)
    assert bot.state == "replying" and "WQ1" in bot.last.text
    file = photo("p2")
    bot.send(file)
    assert bot.commands[-1] == RecordEvidence(file, complaint_number="WQ1")
    assert bot.state == "replying"
    bot.send("1")  # in the window even a digit is the message
    assert bot.case_messages == [("WQ1", "1")]
    assert bot.replies[0].text == SENT[language] and bot.state == "menu"


def test_reply_by_its_number_and_back() -> None:
    bot = bot_in("en")
    bot.send("my complaints")
    bot.send("1")
    position = [c.id for c in bot.last.choices].index("reply") + 1
    bot.send(str(position))
    assert bot.state == "replying"
    bot.send("back")
    assert bot.state == "my_detail" and not bot.case_messages


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_closed_case_takes_no_reply(language: str) -> None:
    bot = bot_in(language, status="closed")
    bot.details["WQ1"] = replace(bot.details["WQ1"], can_reply=False)
    bot.send("my complaints")
    bot.send("1")
    assert "reply" not in [c.id for c in bot.last.choices]
    bot.send("reply")
    assert bot.state == "my_detail" and not bot.case_messages
    assert ("closed" if language == "en" else "已结束") in bot.replies[0].text


def test_reply_without_a_case_asks_which_complaint() -> None:
    bot = bot_in("en")
    bot.send("reply")
    assert isinstance(bot.commands[-1], ListComplaints) and bot.state == "my_list"
    assert "Choose the complaint" in bot.all_text


def test_a_refused_message_says_why() -> None:
    bot = bot_in("en")
    staff_wrote(bot, "WQ9")  # not (or no longer) the consumer's
    bot.send("hello there, any news?")
    assert bot.replies[0].text == "That complaint could not be found."
    assert "reply_window" not in bot.conv.answers and bot.state == "menu"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_evidence_request_survives_hi_and_other_dialogs(language: str) -> None:
    bot = bot_in(language)
    bot.run(enter_add_evidence(bot.conv, "WQ1", now=NOW, options=bot.options,
                               note="Please send the invoice."))  # fmt: skip
    assert bot.state == "adding_evidence"
    bot.send(HELLO[language])
    assert bot.state == "adding_evidence"
    reminder = {"en": "You have 1 open request: complaint WQ1: Please send the invoice.",
                "zh-CN": "您有 1 项待处理的请求：投诉 WQ1：Please send the invoice.。"}  # fmt: skip
    assert reminder[language] in bot.all_text
    bot.send("菜单" if language == "zh-CN" else "menu")
    assert bot.state == "menu" and reminder[language] in bot.replies[0].text
    bot.send("1")  # another dialog: a new complaint
    bot.send("菜单" if language == "zh-CN" else "menu")
    assert reminder[language] in bot.all_text
    file = photo()
    bot.send(file)  # a file at the menu answers the request
    assert bot.commands[-1] == RecordEvidence(file, complaint_number="WQ1")
    assert bot.conv.answers["requests"] == []
    bot.send(HELLO[language])
    assert "WQ1" not in bot.all_text


def test_a_rating_request_survives_hi_and_ends_when_rated() -> None:
    bot = bot_in("en", can_rate=True)
    bot.run(enter_rating(bot.conv, "WQ1", now=NOW, options=bot.options))
    bot.send("hi")
    assert bot.state == "rating" and "rate the handling of complaint WQ1" in bot.all_text
    bot.send("5")
    bot.send("skip")
    assert bot.conv.answers["requests"] == []


def test_withdrawn_requests_are_forgotten_and_their_question_left() -> None:
    bot = bot_in("en")
    bot.run(enter_add_evidence(bot.conv, "WQ1", now=NOW, options=bot.options))
    bot.run(drop_request(bot.conv, "evidence", "WQ1", now=NOW, options=bot.options))
    assert bot.state == "menu" and bot.conv.answers["requests"] == []


def test_my_complaints_shows_and_refreshes_the_requests() -> None:
    bot = bot_in("en")
    listing = ComplaintList((bot.details["WQ1"].summary,),
                            (OpenRequest("evidence", "WQ1", None),))  # fmt: skip
    after = apply_result(bot.conv, ListComplaints(), listing, now=NOW, options=bot.options)
    text = "\n".join(r.text for r in after.replies)
    assert "You have 1 open request: send more evidence for complaint WQ1." in text
    assert after.conversation.answers["requests"] == [
        {"kind": "evidence", "number": "WQ1", "note": None}
    ]
    cleared = apply_result(after.conversation, ListComplaints(),
                           ComplaintList(listing.items), now=NOW, options=bot.options)  # fmt: skip
    assert cleared.conversation.answers["requests"] == []


def test_a_pressed_button_or_an_overlong_text_is_no_message() -> None:
    bot = bot_in("en")
    staff_wrote(bot)
    bot.send(press("no-such-choice", "menu"))
    assert not bot.case_messages and bot.state == "menu"
    bot.send("x" * 2001)
    assert not bot.case_messages and "2000" in bot.replies[0].text
    assert bot.conv.answers["reply_window"] == {"number": "WQ1"}
