"""``证据包`` / ``dossier`` in the dialog: a command in every state, replies from its result."""

from __future__ import annotations

import pytest

from dialogs.command_results import DossierReady, Refused
from dialogs.commands import SendDossier
from dialogs.conversation import Conversation
from dialogs.intake import DialogOptions, apply_result, step

from .helpers import NOW, Bot, text

OPTIONS = DialogOptions()


def conv(state: str, language: str = "en", **answers: object) -> Conversation:
    return Conversation(
        state=state, answers=dict(answers), language=language, language_chosen=True,
        updated_at=NOW,
    )  # fmt: skip


@pytest.mark.parametrize("word", ["dossier", "证据包", "/dossier", "Dossier"])
def test_the_word_asks_for_the_newest_complaint_from_the_menu(word: str) -> None:
    result = step(conv("menu"), text(word), now=NOW, options=OPTIONS)
    assert result.commands == (SendDossier(None, "en"),)
    assert result.conversation.state == "menu"


def test_on_a_complaint_s_screen_it_is_that_complaint() -> None:
    viewing = {"number": "20261120000007", "can_add_evidence": True}
    result = step(conv("my_detail", "zh-CN", viewing=viewing), text("证据包"), now=NOW,
                  options=OPTIONS)  # fmt: skip
    assert result.commands == (SendDossier("20261120000007", "zh-CN"),)


def test_a_draft_in_progress_stays_where_it_was() -> None:
    bot = Bot()
    for answer in ["hi", "1", "1", "1", "店名"]:
        bot.send(answer)
    before = bot.conv
    result = step(before, text("dossier"), now=NOW, options=OPTIONS)
    assert before.state not in ("menu", "start")  # a question of the draft
    assert result.conversation.state == before.state
    assert result.conversation.answers["draft"] == before.answers["draft"]


def test_a_link_a_document_or_nothing_to_send() -> None:
    menu = conv("menu")
    command = SendDossier(None, "en")
    ready = DossierReady("N1", link="/chat/dossier/N1.pdf", newest=True)
    replies = apply_result(menu, command, ready, now=NOW, options=OPTIONS).replies
    assert replies[0].link == "/chat/dossier/N1.pdf" and "/chat/dossier/N1.pdf" in replies[0].text
    assert "my complaints" in replies[1].text
    assert replies[-1].step == "menu"  # the question of where the consumer was, again
    signed = DossierReady("N1", link="https://x.example/chat/dossier/link/t", expires=True)
    after = apply_result(menu, command, signed, now=NOW, options=OPTIONS).replies
    assert "24 hours" in after[0].text and len(after) == 2  # one answer, not "newest"
    document = DossierReady("N1", document="dossier:en:N1")
    sent = apply_result(menu, command, document, now=NOW, options=OPTIONS).replies[0]
    assert sent.document == "dossier:en:N1" and sent.link is None and "N1" in sent.text
    none = apply_result(menu, command, Refused("not_found"), now=NOW, options=OPTIONS).replies
    assert "no complaints yet" in none[0].text
    other = apply_result(conv("my_detail"), SendDossier("N9", "en"), Refused("not_found"),
                         now=NOW, options=OPTIONS).replies  # fmt: skip
    assert "no complaints yet" not in other[0].text


def test_a_reply_keeps_its_link_and_document_through_storage() -> None:
    from dialogs.replies import Reply

    reply = Reply("t", link="/chat/dossier/N1.pdf", document="dossier:en:N1")
    assert Reply.from_dict(reply.to_dict()) == reply
    assert "link" not in Reply("plain").to_dict()
