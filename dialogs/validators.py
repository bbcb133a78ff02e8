"""Parse and validate what consumers type: text, dates, amounts, phone numbers, choices.

Every parser returns ``(value, None)`` or ``(None, error_key)``; the error key is a
catalog key (``error.<key>``) so the hint is shown in the consumer's language. Nothing
here raises on odd input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import phonenumbers

from dialogs.replies import Choice

# Bidi controls and zero-width characters: invisible, and used to spoof text direction.
_INVISIBLE = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
}
_SEPARATORS = re.compile(r"[\s,，、;；/|+]+")
_TRAILING_PUNCT = " \t\r\n.。!！?？,，;；:：~～"


def clean_text(text: str, *, keep_newlines: bool = True) -> str:
    """Remove control and invisible characters and trim.

    Args:
        text: raw consumer text.
        keep_newlines: keep line breaks (descriptions have paragraphs).

    Returns:
        The cleaned text (maybe empty).
    """
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch in ("\t", "\n", "\r"):
            out.append(" ")
        elif ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    return "".join(out).strip()


def normalize(text: str) -> str:
    """Fold text for keyword and label matching (case, width, spaces, end punctuation)."""
    folded = unicodedata.normalize("NFKC", clean_text(text, keep_newlines=False)).casefold()
    folded = " ".join(folded.split())
    stripped = folded.strip(_TRAILING_PUNCT)
    return stripped or folded


def parse_text(text: str, *, min_length: int, max_length: int) -> tuple[str | None, str | None]:
    """Validate free text by length after cleaning."""
    value = clean_text(text)
    if not value:
        return None, "empty"
    if len(value) < min_length:
        return None, "too_short"
    if len(value) > max_length:
        return None, "too_long"
    return value, None


_RELATIVE_DAYS = {
    "今天": 0, "今日": 0, "today": 0,
    "昨天": 1, "昨日": 1, "yesterday": 1,
    "前天": 2, "the day before yesterday": 2,
}
_FULL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")


def parse_date(
    text: str, *, today: date, max_age_years: int = 20
) -> tuple[str | None, str | None]:
    """Parse a purchase or incident date into ISO ``YYYY-MM-DD``.

    Accepts ``2026-11-20``, ``2026/11/20``, ``2026年11月20日``, ``11月20日`` (the most
    recent such date not in the future), ``今天``/``昨天``/``前天``, ``today``/``yesterday``.

    Args:
        text: what the consumer typed.
        today: the consumer's current date.
        max_age_years: older dates are refused as implausible.

    Returns:
        ``(iso_date, None)`` or ``(None, error_key)``.
    """
    value = normalize(text)
    if not value:
        return None, "empty"
    if value in _RELATIVE_DAYS:
        return (today - timedelta(days=_RELATIVE_DAYS[value])).isoformat(), None
    try:
        if m := _FULL_DATE.match(value) or _COMPACT_DATE.match(value):
            parsed = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif m := _MONTH_DAY.match(value):
            month, day = int(m.group(1)), int(m.group(2))
            parsed = _recent_month_day(month, day, today)
        else:
            return None, "bad_date"
    except ValueError:
        return None, "bad_date"
    if parsed > today:
        return None, "future_date"
    if parsed < _years_before(today, max_age_years):
        return None, "old_date"
    return parsed.isoformat(), None


def _recent_month_day(month: int, day: int, today: date) -> date:
    """The latest ``month``/``day`` not after today (29 Feb looks back to a leap year)."""
    for year in range(today.year, today.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise ValueError("no such date")


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def too_old(value: object, today: date, years: int) -> bool:
    """Whether the ISO date ``value`` lies more than ``years`` before ``today``."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return False
    return day < _years_before(today, years)


_CURRENCY = re.compile(r"^(?:rmb|cny|¥|￥)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:元|块|rmb|cny)?$")


def parse_amount(
    text: str, *, minimum: Decimal = Decimal(0), maximum: Decimal = Decimal(100_000_000)
) -> tuple[str | None, str | None]:
    """Parse a money amount into a decimal string with two places (``"3999.00"``).

    Accepts ``3999``, ``3,999.00``, ``¥3999``, ``￥3999``, ``3999元``, ``RMB 3999``.
    """
    value = normalize(text).replace(" ", "")
    m = _CURRENCY.match(value)
    if not m:
        return None, "bad_amount"
    digits = m.group(1)
    if "," in digits and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits):
        return None, "bad_amount"
    try:
        amount = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        return None, "bad_amount"
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return None, "amount_decimals"
    if amount <= minimum or amount >= maximum:
        return None, "amount_range"
    return str(amount.quantize(Decimal("0.01"))), None


_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def parse_phone(text: str, *, region: str = "CN") -> tuple[str | None, str | None]:
    """Validate a mobile number with ``phonenumbers``; return it in E.164.

    Numbers without a country code are read in ``region``; ``+44…`` works from anywhere.
    """
    value = clean_text(text, keep_newlines=False)
    if not value or len(value) > 40:
        return None, "bad_phone"
    value = unicodedata.normalize("NFKC", value)
    if value.startswith("00"):
        value = "+" + value[2:]
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None, "bad_phone"
    if not phonenumbers.is_valid_number(number):
        return None, "bad_phone"
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return None, "not_mobile"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def match_choice(text: str, choices: Sequence[Choice]) -> str | None:
    """Find the choice a consumer meant: its id, 1-based number or label."""
    value = normalize(text)
    if not value:
        return None
    for choice in choices:
        if value == choice.id.casefold():
            return choice.id
    # A list is never longer than a few digits; the length check also keeps a text of
    # thousands of digits away from int(), which refuses more than 4,300 (ValueError).
    if value.isdigit() and value.isascii() and len(value) <= 6:
        index = int(value)
        if 1 <= index <= len(choices):
            return choices[index - 1].id
    for choice in choices:
        if value == normalize(choice.label):
            return choice.id
    return None


def match_choices(text: str, choices: Sequence[Choice]) -> list[str] | None:
    """Several choices at once: ``"1 3"``, ``"1,3"``, ``"1、3"``, ids or labels.

    Returns:
        The ids in the order given, without repeats, or None when any part is unknown.
    """
    single = match_choice(text, choices)
    if single is not None:
        return [single]
    parts = [p for p in _SEPARATORS.split(normalize(text)) if p]
    if not parts or len(parts) > len(choices) * 2:
        return None
    found: list[str] = []
    for part in parts:
        ident = match_choice(part, choices)
        if ident is None:
            return None
        if ident not in found:
            found.append(ident)
    return found
