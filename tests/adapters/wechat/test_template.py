"""Template keyword fields: the mapping setting, WeChat's limits per type, no line breaks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.wechat.template import cut, one_line, parse_fields, template_data
from dialogs.delivery import NoticeFacts

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def test_the_mapping_is_read_in_order() -> None:
    fields = parse_fields(" character_string1=number, phrase2=status,time3=date,thing4=summary ")
    assert [(f.name, f.kind, f.fact) for f in fields] == [
        ("character_string1", "character_string", "number"), ("phrase2", "phrase", "status"),
        ("time3", "time", "date"), ("thing4", "thing", "summary"),
    ]
    assert parse_fields(None) == () and parse_fields("") == ()


@pytest.mark.parametrize("spec", ["thing4", "thing=summary", "colour1=summary",
                                  "thing4=merchant", "=summary"])
def test_a_bad_mapping_is_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_fields(spec)


@pytest.mark.parametrize(("kind", "limit"), [
    ("thing", 20), ("character_string", 32), ("phrase", 5), ("name", 10), ("number", 32),
])
def test_each_type_is_cut_to_its_limit(kind: str, limit: int) -> None:
    fields = parse_fields(f"{kind}1=summary")
    facts = NoticeFacts(summary="商家已同意退款并将在七个工作日内完成处理，请留意短信通知。" * 3
                        + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" * 2, at=AT)
    value = template_data(fields, facts, language="zh-CN")[f"{kind}1"]["value"]
    assert 0 < len(value) <= limit


def test_cuts_fall_between_characters() -> None:
    assert cut("ab\u0301cd", 3, ellipsis=False) == "ab"  # the accent belongs to the b
    assert cut("家👨\u200d👩\u200d👧", 3, ellipsis=False) == "家👨"
    assert cut("短", 20) == "短"


def test_values_are_one_line() -> None:
    assert one_line("第一行\n第二行\r\n\t第三行\u2028") == "第一行 第二行 第三行"


def test_dates_follow_the_field_type_and_the_local_clock() -> None:
    fields = parse_fields("date1=date,time2=time,thing3=date")
    facts = NoticeFacts(at=datetime(2026, 11, 20, 16, 1, tzinfo=UTC))  # 00:01 in Beijing
    data = template_data(fields, facts, language="en")
    assert data["date1"]["value"] == "2026年11月21日"
    assert data["time2"]["value"] == "2026年11月21日 00:01"
    assert data["thing3"]["value"] == "21 Nov 2026"


def test_missing_facts_still_give_a_value() -> None:
    data = template_data(parse_fields("character_string1=number,thing2=status"),
                         NoticeFacts(at=AT), language="en")
    assert data == {"character_string1": {"value": "-"}, "thing2": {"value": "-"}}
