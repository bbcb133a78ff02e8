"""Step progress on the questions of a guided flow, and the opening words of a chat page."""

from __future__ import annotations

from dataclasses import replace

from dialogs.conversation import Conversation
from dialogs.intake import DialogOptions
from dialogs.opening import opening
from dialogs.replies import Reply
from tests.dialogs.helpers import NOW, Bot


def progress_of(replies: list[Reply]) -> list[tuple[str | None, tuple[int, int] | None]]:
    return [(r.step, r.progress) for r in replies if r.step]


def test_every_question_of_a_complaint_says_which_step_of_how_many() -> None:
    bot = Bot()
    bot.send("/start")
    assert bot.last.progress is None  # the menu is not a step of a flow
    bot.send("1")
    assert (bot.last.step, bot.last.progress) == ("category", (1, 13))
    bot.send("1")  # appliances has subcategories: one more step now counts
    assert (bot.last.step, bot.last.progress) == ("subcategory", (2, 14))
    bot.send("1")
    assert (bot.last.step, bot.last.progress) == ("handled_elsewhere", (3, 14))


def test_steps_skipped_by_a_condition_are_not_counted() -> None:
    bot = Bot()
    for answer in ["/start", "2", "15", "某某网店", "这家店在卖假冒的名牌包，价格很低。", "done"]:
        bot.send(answer)
    # A report in "other" (no subcategories): category, merchant, description, evidence…
    assert (bot.last.step, bot.last.progress) == ("contact_mode", (5, 7))
    bot.send("anonymous")
    # Anonymous: no name, phone or consent asked; the summary is no step.
    assert bot.state == "confirm" and bot.last.progress is None


def test_questions_carry_the_conversation_language_after_a_switch() -> None:
    bot = Bot()
    bot.send("/start")
    assert bot.last.language == "zh-CN"
    bot.send("English")
    assert bot.last.language == "en"


def test_progress_and_language_survive_the_dedupe_table_and_old_rows_still_read() -> None:
    asked = Reply("Which?", step="category", progress=(1, 13), language="en", sender=None)
    assert Reply.from_dict(asked.to_dict()) == asked
    old = {"text": "Hi", "choices": [], "step": None, "request_contact": False, "multi": False}
    assert Reply.from_dict(old) == Reply("Hi")
    assert Reply.from_dict({**old, "progress": ["1", 2]}).progress is None


OPTIONS = DialogOptions()


def test_a_new_consumer_is_greeted_and_shown_the_menu_in_the_page_language() -> None:
    replies = opening(Conversation(), now=NOW, options=OPTIONS, language_hint="en-GB")
    assert replies[0].text.startswith("Hello, this is Weiquan")
    assert replies[-1].step == "start" and replies[-1].language == "en"
    assert [c.id for c in replies[-1].choices][:2] == ["complaint", "report"]


def test_the_opening_recalls_open_requests_and_the_question_being_answered() -> None:
    bot = Bot()
    for answer in ["/start", "1", "1", "1"]:
        bot.send(answer)
    answers = {**bot.conv.answers, "requests": [
        {"kind": "evidence", "number": "WQ1", "note": "Please send the invoice."}]}
    conv = replace(bot.conv, answers=answers)
    replies = opening(conv, now=NOW, options=OPTIONS)
    texts = " ".join(r.text for r in replies)
    assert "WQ1" in texts and "Please send the invoice." in texts
    # No greeting in the middle of a draft: the question it is at, with its progress.
    assert replies[-1].step == "handled_elsewhere" and replies[-1].progress == (3, 14)
    assert "您好" not in texts


def test_a_language_the_consumer_chose_wins_over_the_page() -> None:
    conv = Conversation(state="menu", language="zh-CN", language_chosen=True, updated_at=NOW)
    replies = opening(conv, now=NOW, options=OPTIONS, language_hint="en")
    assert replies[-1].language == "zh-CN" and replies[-1].step == "menu"
