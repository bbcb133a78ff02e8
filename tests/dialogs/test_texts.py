"""The catalogs: same keys in both languages, one language per text, shared labels."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dialogs.flow import load_flow
from dialogs.texts import catalog, category_label, render_notice, status_label, type_label

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
STATUSES = ("submitted", "accepted", "rejected", "mediating", "transferred", "resolved",
            "failed", "closed", "withdrawn")


def test_catalogs_have_the_same_keys() -> None:
    assert set(catalog("zh-CN")) == set(catalog("en"))


def test_english_catalog_has_no_chinese() -> None:
    offending = {k: v for k, v in catalog("en").items() if CJK.search(v)}
    assert offending == {}


def test_flow_labels_exist_in_both_languages() -> None:
    flow = load_flow()
    assert len(flow.categories) >= 12
    for option in (*flow.categories, *(s for c in flow.categories for s in c.sub),
                   *flow.demands):
        assert CJK.search(option.label("zh-CN"))
        assert not CJK.search(option.label("en"))
        assert option.id.isascii() and len(option.id.encode()) <= 40


@pytest.mark.parametrize("status", STATUSES)
def test_status_labels(status: str) -> None:
    assert CJK.search(status_label(status, "zh-CN"))
    assert status_label(status, "en") and not CJK.search(status_label(status, "en"))


def test_labels() -> None:
    assert status_label("accepted", "zh-CN") == "已受理"
    assert status_label("accepted", "en") == "Accepted"
    assert category_label("appliances", "zh-CN") == "家用电器"
    assert category_label("mobile_phone", "en") == "Mobile phones and accessories"
    assert category_label("unknown", "en") == "unknown"
    assert type_label("report", "zh-CN") == "举报"


def test_render_notice() -> None:
    reply = render_notice("en", number="WQ1", status="accepted", note="We called the shop.",
                          next_deadline=date(2027, 2, 26))
    assert "WQ1" in reply.text and "Accepted" in reply.text
    assert "We called the shop." in reply.text and "26 Feb 2027" in reply.text
    assert not CJK.search(reply.text)
    zh = render_notice("zh-CN", number="WQ1", status="resolved", note=None, next_deadline=None)
    assert "已解决" in zh.text and "说明" not in zh.text
