"""The summary stays short (long items are cut, "查看 N" shows one whole), and the
evidence step ends by itself at its limit without taking the next word as a name."""

from __future__ import annotations

import pytest

from dialogs.intake import DialogOptions

from .helpers import Bot, photo

LONG = "冰箱送到第二天就不制冷了，" * 80  # 1,040 characters
ZH = ["hi", "1", "1", "1", "否", "店名", "跳过", "跳过", "今天", "100", LONG, "1", "跳过",
      "张三", "13812345678", "是"]
EN = ["hi", "English", "1", "1", "1", "no", "Shop", "skip", "skip", "today", "100", LONG, "1",
      "skip", "Ann", "13812345678", "yes"]


@pytest.mark.parametrize(("script", "show"), [(ZH, "查看 9"), (EN, "show 9")], ids=["zh", "en"])
def test_long_description_is_cut_in_the_summary_and_shown_on_request(
    script: list[str], show: str
) -> None:
    bot = Bot()
    for message in script:
        bot.send(message)
    assert bot.state == "confirm"
    line = next(x for x in bot.last.text.splitlines() if x.startswith("9. "))
    assert LONG not in bot.last.text and len(line) < 120
    assert show.split()[0] in line  # tells how to see the whole text
    bot.send(show)
    assert bot.state == "confirm"
    assert LONG in bot.replies[0].text
    assert [c.id for c in bot.last.choices] == ["confirm", "edit", "cancel"]


def test_show_an_unknown_item_is_refused_politely() -> None:
    bot = Bot()
    for message in ZH:
        bot.send(message)
    bot.send("查看 99")
    assert bot.state == "confirm" and LONG not in bot.all_text


def test_evidence_limit_moves_on_and_done_is_not_a_name() -> None:
    bot = Bot(options=DialogOptions(max_evidence_files=9))
    for message in ["hi", "1", "1", "1", "否", "店名", "跳过", "跳过", "今天", "100",
                    "这是一段足够长的描述文字。", "1"]:
        bot.send(message)
    for _ in range(9):
        bot.send(photo())
    assert bot.state == "contact_name"
    assert "已达到 9 个文件的上限" in bot.all_text and "下一个问题" in bot.all_text
    assert "evidence" in bot.conv.answers["done_steps"]
    for word in ("完成", "done", "1", "跳过"):
        bot.send(word)
        assert bot.state == "contact_name", word
        assert "contact_name" not in bot.conv.answers["draft"]
        assert "不是姓名" in bot.replies[0].text
    bot.send("张三")
    assert bot.state == "contact_phone"
    assert bot.conv.answers["draft"]["contact_name"] == "张三"


def test_merchant_names_refuse_command_words_too() -> None:
    bot = Bot()
    for message in ["hi", "1", "1", "1", "否", "好的"]:
        bot.send(message)
    assert bot.state == "merchant_name"
