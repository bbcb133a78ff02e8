"""Neutral replies → passive reply XML."""

from __future__ import annotations

import xmltodict

from adapters.wechat.outbound import MAX_TEXT_BYTES, join, passive_reply
from dialogs.replies import Choice, Reply


def parsed(xml: str | None) -> dict[str, str]:
    assert xml is not None
    fields: dict[str, str] = xmltodict.parse(xml)["xml"]
    return fields


def test_choices_become_a_numbered_list() -> None:
    reply = Reply("What would you like to do?", (Choice("complaint", "File a complaint"),
                                                 Choice("help", "Help")), step="menu")
    fields = parsed(passive_reply([Reply("Hello."), reply], user="oU", account="gh", now=7))
    assert fields["Content"] == "Hello.\n\nWhat would you like to do?\n1. File a complaint\n2. Help"
    assert (fields["ToUserName"], fields["FromUserName"], fields["MsgType"]) == ("oU", "gh", "text")
    assert fields["CreateTime"] == "7"


def test_nothing_to_say_gives_none() -> None:
    assert passive_reply([], user="oU", account="gh", now=1) is None
    assert passive_reply([Reply("")], user="oU", account="gh", now=1) is None


def test_cdata_end_and_control_characters_cannot_break_the_xml() -> None:
    evil = "]]><MsgType>news</MsgType><x>\x00\x07\x1b</x>]]>"
    fields = parsed(passive_reply([Reply(f"You wrote: {evil}")], user="oU", account="gh", now=1))
    assert fields["MsgType"] == "text"
    assert fields["Content"] == "You wrote: ]]><MsgType>news</MsgType><x></x>]]>"


def test_long_text_is_cut_at_the_byte_limit_keeping_the_question() -> None:
    question = Reply("Pick one", (Choice("a", "Alpha"), Choice("b", "Beta")))
    long = Reply("投诉" * 2000)  # 12 000 bytes of UTF-8
    text = join([long, question])
    assert len(text.encode("utf-8")) <= MAX_TEXT_BYTES
    assert text.endswith("Pick one\n1. Alpha\n2. Beta")
    assert "…" in text
    alone = join([Reply("长" * 3000)])
    assert len(alone.encode("utf-8")) <= MAX_TEXT_BYTES
    alone.encode("utf-8").decode("utf-8")  # no split character
