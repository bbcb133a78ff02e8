"""The console shows labels instead of codes, and refused actions read in the page's
language (the catalog itself is checked in tests/dialogs/test_catalog.py)."""

from __future__ import annotations

import re

from bots.staff.errors import Conflict, Invalid
from bots.staff.errors_text import action_message
from bots.staff.labels import (
    TIMELINE_KINDS,
    actor_label,
    demands_label,
    kind_label,
    money,
    platform_label,
)


def test_values_are_shown_as_labels() -> None:
    assert money("3999", "zh-CN") == "3,999.00 元" and money("3999", "en") == "¥3,999.00"
    assert demands_label(["refund", "exchange"], "zh-CN") == "退款、换货"
    assert actor_label("staff:mei", "zh-CN") == "mei"
    assert actor_label("consumer", "zh-CN") == "消费者"
    assert platform_label("wechat", "zh-CN") == "微信"
    merchants = {"merchant:suning": "苏宁易购"}
    assert actor_label("merchant:suning", "zh-CN", merchants) == "苏宁易购"
    assert actor_label("merchant:gone", "zh-CN", merchants) == "gone"


def test_every_timeline_kind_has_a_label() -> None:
    for language in ("zh-CN", "en"):
        assert [k for k in TIMELINE_KINDS if kind_label(k, language) == k] == [], language


def test_refused_actions_read_in_chinese() -> None:
    note = Invalid("moving to failed needs a note giving the consumer the reason")
    assert action_message(note, "zh-CN") == "变更为“调解失败”需要填写给消费者的说明" or (
        "需要填写给消费者的说明" in action_message(note, "zh-CN")
    )
    illegal = Conflict("cannot", ("closed",))
    assert "可选" in action_message(illegal, "zh-CN")
    assert not re.search("[a-z]{4}", action_message(Invalid("something new"), "zh-CN"))
