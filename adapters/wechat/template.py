"""Notices as WeChat template messages: keyword fields only (pure: no I/O).

Since 2023-05-04 WeChat shows no ``first`` and ``remark`` lines and no free text: a
template message is its keyword fields, each short and on one line. A deployment names
which fact goes into which field of its template with ``WEIQUAN_WECHAT_TEMPLATE_FIELDS``
(``character_string1=number,phrase2=status,time3=date,thing4=summary``); each value is
cut to what WeChat accepts for the field's type, and the message links to the
complaint's progress page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dialogs.delivery import NoticeFacts
from dialogs.texts import format_date, status_label
from dialogs.vocabulary import Language

#: What a notice can tell a template field.
FACTS = ("number", "status", "date", "time", "summary")

# WeChat's keyword types and the most characters each accepts ("thing": 20 characters,
# "phrase": 5 Chinese characters…). Types with a fixed format (time, date, amount)
# are formatted rather than cut.
LIMITS: dict[str, int] = {
    "thing": 20,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "phrase": 5,
    "name": 10,
    "phone_number": 17,
    "car_number": 8,
    "const": 20,
    "amount": 14,
    "time": 20,
    "date": 20,
}
_FIELD = re.compile(r"^([a-z_]+?)(\d+)$")
_BREAKS = re.compile(r"\s+")
ELLIPSIS = "…"
BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class TemplateField:
    """One keyword field of the template: its name, WeChat type and the fact it shows."""

    name: str
    kind: str
    fact: str


def parse_fields(spec: str | None) -> tuple[TemplateField, ...]:
    """Read ``WEIQUAN_WECHAT_TEMPLATE_FIELDS``.

    Args:
        spec: ``field=fact`` pairs separated by commas, e.g. ``thing4=summary``.

    Returns:
        The fields in the order given (empty when unset).

    Raises:
        ValueError: a pair is malformed, a field type is unknown or a fact is unknown.
    """
    fields: list[TemplateField] = []
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, fact = (p.strip() for p in part.partition("="))
        match = _FIELD.match(name)
        if not sep or match is None:
            raise ValueError(f"template field {part!r}: write it as type+number=fact")
        kind = match.group(1)
        if kind not in LIMITS:
            raise ValueError(f"template field {name!r}: unknown WeChat type {kind!r}")
        if fact not in FACTS:
            raise ValueError(f"template field {name!r}: unknown fact {fact!r} ({FACTS})")
        fields.append(TemplateField(name=name, kind=kind, fact=fact))
    return tuple(fields)


def one_line(text: str) -> str:
    """The text without line breaks, tabs or control characters (WeChat shows one line)."""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return _BREAKS.sub(" ", text).strip()


def cut(text: str, limit: int, *, ellipsis: bool = True) -> str:
    """At most ``limit`` characters, cut between characters (never inside one).

    A combining mark, variation selector or joiner left at the end would belong to the
    character that was cut off, so it goes too.
    """
    if len(text) <= limit:
        return text
    room = limit - 1 if ellipsis else limit
    head = text[: max(room, 0)]
    while head and (unicodedata.combining(head[-1]) or head[-1] in "\u200d\ufe0e\ufe0f"):
        head = head[:-1]
    return head.rstrip() + (ELLIPSIS if ellipsis else "")


def _value(
    field: TemplateField, facts: NoticeFacts, language: str, now: datetime, zone: ZoneInfo
) -> str:
    if field.fact in ("date", "time"):
        at = (facts.at or now).astimezone(zone)
        # WeChat's date and time types want "2019年10月1日" / "2019年10月1日 15:01".
        if field.kind in ("date", "time"):
            day = f"{at.year}年{at.month}月{at.day}日"
        else:
            day = format_date(language, at.date())
        with_time = field.fact == "time" or field.kind == "time"
        return cut(f"{day} {at:%H:%M}" if with_time else day, LIMITS[field.kind])
    if field.fact == "number":
        raw = facts.number or ""
    elif field.fact == "status":
        # A phrase field takes Chinese characters only (at most 5): the Chinese label.
        label_language = Language.ZH_CN if field.kind == "phrase" else language
        raw = status_label(facts.status, label_language) if facts.status else ""
    else:
        raw = facts.summary or ""
    value = one_line(raw)
    if field.kind in ("character_string", "number", "letter"):
        # Only digits, letters and symbols are accepted: drop anything else.
        value = "".join(c for c in value if c.isascii() and c.isprintable() and c != " ")
        return cut(value, LIMITS[field.kind], ellipsis=False) or "-"
    return cut(value, LIMITS[field.kind], ellipsis=field.kind == "thing") or "-"


def template_data(
    fields: tuple[TemplateField, ...],
    facts: NoticeFacts,
    *,
    language: str,
    now: datetime | None = None,
    zone: ZoneInfo = BEIJING,
) -> dict[str, dict[str, str]]:
    """The ``data`` of a template message: one short, single-line value per field.

    Args:
        fields: the configured fields (:func:`parse_fields`).
        facts: what the notice is about.
        language: the consumer's language (status labels, dates in text fields).
        now: stands in for a notice without a time.
        zone: the local clock dates are shown in.
    """
    now = now or datetime.now(UTC)
    return {f.name: {"value": _value(f, facts, language, now, zone)} for f in fields}
