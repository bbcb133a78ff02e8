"""Table-driven tests of the parsers behind every typed answer."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.replies import Choice
from dialogs.validators import (
    clean_text,
    match_choice,
    match_choices,
    parse_amount,
    parse_date,
    parse_phone,
    parse_text,
)

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-20", "2026-11-20"),
        ("2026/11/20", "2026-11-20"),
        ("2026.11.20", "2026-11-20"),
        ("2026年11月20日", "2026-11-20"),
        ("2026 年 11 月 2 号", "2026-11-02"),
        ("20261120", "2026-11-20"),
        ("11月20日", "2026-11-20"),
        ("11月23日", "2025-11-23"),  # not yet this year: the most recent one
        ("2月29日", "2024-02-29"),
        ("今天", "2026-11-22"),
        ("昨天", "2026-11-21"),
        ("前天", "2026-11-20"),
        ("Today", "2026-11-22"),
        ("yesterday", "2026-11-21"),
        ("  2026-11-22  ", "2026-11-22"),
    ],
)
def test_parse_date_accepts(raw: str, expected: str) -> None:
    assert parse_date(raw, today=TODAY) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("2026-11-23", "future_date"),
        ("2027年1月1日", "future_date"),
        ("2000-01-01", "old_date"),
        ("2026-02-30", "bad_date"),
        ("13月1日", "bad_date"),
        ("last week", "bad_date"),
        ("", "empty"),
        ("\x00", "empty"),
        ("9" * 10_000, "bad_date"),
    ],
)
def test_parse_date_refuses(raw: str, error: str) -> None:
    assert parse_date(raw, today=TODAY) == (None, error)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3999", "3999.00"),
        ("3,999.00", "3999.00"),
        ("¥3999", "3999.00"),
        ("￥3999", "3999.00"),
        ("3999元", "3999.00"),
        ("RMB 3999", "3999.00"),
        ("rmb3999.5", "3999.50"),
        ("0.01", "0.01"),
        ("99999999.99", "99999999.99"),
        ("１２３", "123.00"),  # full-width digits from Chinese keyboards
    ],
)
def test_parse_amount_accepts(raw: str, expected: str) -> None:
    assert parse_amount(raw) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("0", "amount_range"),
        ("-5", "bad_amount"),
        ("100000000", "amount_range"),
        ("1.234", "amount_decimals"),
        ("3,99", "bad_amount"),
        ("abc", "bad_amount"),
        ("", "bad_amount"),
        ("1e5", "bad_amount"),
        ("NaN", "bad_amount"),
    ],
)
def test_parse_amount_refuses(raw: str, error: str) -> None:
    assert parse_amount(raw) == (None, error)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("+44 7911 123456", "+447911123456"),
    ],
)
def test_parse_phone_accepts(raw: str, expected: str) -> None:
    assert parse_phone(raw) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("12345", "bad_phone"),
        ("not a number", "bad_phone"),
        ("", "bad_phone"),
        ("010 8888 8888", "not_mobile"),
        ("1" * 100, "bad_phone"),
    ],
)
def test_parse_phone_refuses(raw: str, error: str) -> None:
    assert parse_phone(raw) == (None, error)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  hello \x00world\u202e ", "hello world"),
        ("a\u200bb", "ab"),
        ("line1\nline2", "line1\nline2"),
        ("\x07\x1b", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_parse_text_lengths() -> None:
    assert parse_text("short", min_length=10, max_length=20) == (None, "too_short")
    assert parse_text("x" * 21, min_length=1, max_length=20) == (None, "too_long")
    assert parse_text("  fine text here ", min_length=1, max_length=20) == ("fine text here", None)


CHOICES = (Choice("refund", "退款"), Choice("return", "Return"), Choice("repair", "维修"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("refund", "refund"), ("2", "return"), ("  RETURN ", "return"), ("维修", "repair"),
     ("4", None), ("0", None), ("", None), ("refunds", None)],
)
def test_match_choice(raw: str, expected: str | None) -> None:
    assert match_choice(raw, CHOICES) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1 3", ["refund", "repair"]), ("1,3", ["refund", "repair"]),
     ("1、3", ["refund", "repair"]), ("1，2，1", ["refund", "return"]),
     ("退款 维修", ["refund", "repair"]), ("refund", ["refund"]), ("1 9", None), ("", None)],
)
def test_match_choices(raw: str, expected: list[str] | None) -> None:
    assert match_choices(raw, CHOICES) == expected
