"""The console shows labels instead of codes, and refused actions read in the page's
language (the catalog itself is checked in tests/dialogs/test_catalog.py)."""

from __future__ import annotations

import re

from bots.staff.errors import Conflict, Invalid
from bots.staff.labels import (
    TIMELINE_KINDS,
    actor_label,
    demands_label,
    kind_label,
    money,
    platform_label,
)
from dialogs import refusals, texts


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


def test_refused_actions_read_in_chinese_with_labels_and_the_api_keeps_its_english() -> None:
    note = Invalid("needs_note", target="failed")
    assert note.text("zh-CN") == "变更为“调解失败”需要填写给消费者的说明"
    assert note.message == "moving to failed needs a note giving the consumer the reason"
    illegal = Conflict("illegal_move", current="submitted", target="closed",
                       allowed=("accepted", "withdrawn"))  # fmt: skip
    assert illegal.text("zh-CN").endswith("可选：已受理")  # withdrawing is the consumer's
    assert illegal.message == (
        "cannot move from 'submitted' to 'closed' (allowed: accepted, withdrawn)"
    )
    assert illegal.allowed == ("accepted", "withdrawn")
    role = Invalid("forbidden_role", role="supervisor", have="agent")
    assert role.text("zh-CN") == "此操作需要“主管”角色，您的角色是“处理员”"
    assert role.text("en") == "This needs the Supervisor role; you are Agent"


def test_every_refusal_reads_in_chinese_without_english_words() -> None:
    keys = [k for k in texts.catalog("zh-CN") if k.startswith(refusals.PREFIX)]
    assert len(keys) > 30
    for key in keys:
        words = re.sub(r"\{\w+\}", "", texts.catalog("zh-CN")[key])
        assert not re.search("[A-Za-z]{4}", words), key
