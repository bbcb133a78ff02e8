"""Log lines are JSON with personal data masked."""

from __future__ import annotations

import json
import logging

from bots.logs import JsonFormatter, mask_text


def test_phone_numbers_are_masked_in_free_text() -> None:
    assert mask_text("call 13812345678 now") == "call 138****5678 now"
    assert mask_text("+86 13812345678") == "+86 138****5678"
    assert mask_text("order 2026112000000123") == "order 2026112000000123"


def test_a_record_is_one_json_line_with_personal_fields_masked() -> None:
    record = logging.LogRecord(
        "weiquan.test", logging.INFO, __file__, 1, "filed for %s", ("13912345678",), None
    )
    record.contact_name = "张三"
    record.number = "20261120000001"
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "filed for 139****5678"
    assert line["contact_name"] == "***"
    assert line["number"] == "20261120000001"
    assert line["level"] == "info"
