"""The console's words: every key in every language with the same placeholders, every
key a template asks for exists, and refused actions read in the page's language."""

from __future__ import annotations

import re
import string
from pathlib import Path

from bots.staff import text as console_text
from bots.staff.actions import Conflict, Invalid
from bots.staff.deadlines import CLOCK_NAMES
from bots.staff.errors_text import action_message
from bots.staff.labels import actor_label, demands_label, money, platform_label
from bots.web.routes.console import DONE
from dialogs import texts

# "您的投诉 …" names the request type; English says "your request" for every type.
NAMES_THE_TYPE_IN_CHINESE_ONLY = {"staff_notice.extended"}
TEMPLATES = Path(__file__).parent.parent.parent / "bots" / "web" / "templates" / "console"


def placeholders(text: str) -> set[str]:
    # ``{d.day}`` and ``{d:%d}`` both use the value ``d``.
    return {re.split(r"[.\[]", name)[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_console_key_is_in_every_language_with_the_same_placeholders() -> None:
    for key, entry in console_text.TEXTS.items():
        base = {k for k in entry if "|" not in k}
        assert base == set(console_text.LANGUAGES), key
        expected = placeholders(entry["en"])
        for form, text in entry.items():
            assert placeholders(text) == expected, (key, form)


def test_every_catalog_key_is_in_every_language_with_the_same_placeholders() -> None:
    zh, en = texts.catalog("zh-CN"), texts.catalog("en")
    assert set(zh) == set(en)
    for key in zh:
        if key in NAMES_THE_TYPE_IN_CHINESE_ONLY:
            assert placeholders(en[key]) <= placeholders(zh[key]), key
            continue
        assert placeholders(zh[key]) == placeholders(en[key]), key


def test_every_key_a_console_template_uses_exists() -> None:
    used: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_0-9-]+)["']""", path.read_text("utf-8")))
    # Keys built from a prefix (``t("clock_" ~ k.clock)``) are checked value by value below.
    fixed = {key for key in used if not key.endswith("_")}
    assert fixed and fixed <= set(console_text.TEXTS), fixed - set(console_text.TEXTS)
    built = [f"saved_{action}" for action in DONE]
    built += [f"clock_{name}" for name in CLOCK_NAMES] + [f"overdue_{n}" for n in CLOCK_NAMES]
    built += [f"from_{kind}" for kind in ("consumer", "staff", "merchant")]
    built += [f"via_{via}" for via in ("reply", "page", "message", "custom", "template")]
    built += [f"request_{s}" for s in ("open", "answered", "withdrawn")]
    built += [f"request_kind_{k}" for k in ("evidence", "rating")]
    assert set(built) <= set(console_text.TEXTS), set(built) - set(console_text.TEXTS)


def test_plural_forms() -> None:
    assert console_text.text("en", "sent_to", n=1) == "Sent to 1 consumer"
    assert console_text.text("en", "sent_to", n=3) == "Sent to 3 consumers"
    assert console_text.text("zh-CN", "sent_to", n=1) == "已发送给 1 位消费者"


def test_values_are_shown_as_labels() -> None:
    assert money("3999", "zh-CN") == "3,999.00 元" and money("3999", "en") == "¥3,999.00"
    assert demands_label(["refund", "exchange"], "zh-CN") == "退款、换货"
    assert actor_label("staff:mei", "zh-CN") == "mei"
    assert actor_label("consumer", "zh-CN") == "消费者"
    assert platform_label("wechat", "zh-CN") == "微信"


def test_refused_actions_read_in_chinese() -> None:
    note = Invalid("moving to failed needs a note giving the consumer the reason")
    assert action_message(note, "zh-CN") == "变更为“调解失败”需要填写给消费者的说明" or (
        "需要填写给消费者的说明" in action_message(note, "zh-CN")
    )
    illegal = Conflict("cannot", ("closed",))
    assert "可选" in action_message(illegal, "zh-CN")
    assert not re.search("[a-z]{4}", action_message(Invalid("something new"), "zh-CN"))
