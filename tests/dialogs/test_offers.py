"""The consumer's side of a merchant's offer and the consent question (pure dialog)."""

from __future__ import annotations

from dialogs.commands import AnswerConsent, AnswerOffer, ListConsentCases
from dialogs.offers import enter_consent, enter_offer
from dialogs.options import DialogOptions

from .helpers import NOW, Bot, press

OPTIONS = DialogOptions(default_language="en")


def offered(bot: Bot, offer_id: int = 7) -> None:
    bot.run(enter_offer(bot.conv, offer_id=offer_id, number="WQ1", text="Suning: a refund.",
                        now=NOW, options=OPTIONS))  # fmt: skip


def test_the_offer_is_answered_by_its_number_and_leads_to_the_rating() -> None:
    bot = Bot(options=OPTIONS)
    bot.send("hi")
    offered(bot)
    assert bot.state == "offer" and "Suning: a refund." in bot.last.text
    assert [c.label for c in bot.last.choices] == ["Accept", "Decline"]
    bot.send("1")
    assert bot.commands[-1] == AnswerOffer(7, True)
    assert bot.state == "rating" and "resolved" in bot.all_text


def test_the_words_work_from_another_state_and_a_decline_keeps_its_reason() -> None:
    bot = Bot(options=OPTIONS)
    bot.send("hi")
    offered(bot)
    bot.send("menu")
    bot.send("拒绝 金额太少")
    assert bot.commands[-1] == AnswerOffer(7, False, "金额太少")
    assert "continue mediating" in bot.all_text
    assert bot.state == "menu"
    # Answered: the words are ordinary text again.
    before = len(bot.commands)
    bot.send("accept")
    assert not any(isinstance(c, AnswerOffer) for c in bot.commands[before:])


def test_after_the_offer_the_consumer_returns_to_the_draft() -> None:
    bot = Bot(options=OPTIONS)
    bot.send("hi")
    bot.send("1")
    draft_state = bot.state
    offered(bot)
    bot.send("2")
    assert bot.commands[-1] == AnswerOffer(7, False, None)
    assert bot.state == draft_state


def test_a_button_of_a_replaced_offer_answers_nothing() -> None:
    bot = Bot(options=OPTIONS)
    bot.send("hi")
    offered(bot, 7)
    old = bot.last.choices[0].id
    offered(bot, 8)
    bot.send(press(old, "offer"))
    assert not any(isinstance(c, AnswerOffer) for c in bot.commands)
    assert "can no longer be answered" in bot.all_text
    bot.send(press(bot.last.choices[0].id, "offer"))
    assert bot.commands[-1] == AnswerOffer(8, True)


def test_an_expired_offer_is_explained() -> None:
    bot = Bot(options=OPTIONS, refuse_offer="offer_gone")
    bot.send("hi")
    offered(bot)
    bot.send("接受")
    assert "can no longer be answered" in bot.all_text and bot.state == "menu"


def test_the_consent_question_names_the_merchant_and_records_the_answer() -> None:
    bot = Bot(options=OPTIONS)
    bot.send("hi")
    bot.run(enter_consent(bot.conv, number="WQ1", merchant_id=3, merchant="Suning",
                          now=NOW, options=OPTIONS))  # fmt: skip
    assert bot.state == "merchant_consent"
    assert "Suning" in bot.last.text and "WQ1" in bot.last.text
    bot.send("no")
    assert bot.commands[-1] == AnswerConsent("WQ1", 3, False)
    assert bot.state == "menu" and "without your contact details" in bot.all_text


def test_withdraw_consent_is_the_data_rights_word_in_any_state() -> None:
    # One word, one flow: it lists the cases whose contact is shared (dialogs/data_rights).
    bot = Bot(options=OPTIONS, consents=1)
    bot.send("hi")
    bot.send("1")
    bot.send("withdraw consent")
    assert any(isinstance(c, ListConsentCases) for c in bot.commands)

