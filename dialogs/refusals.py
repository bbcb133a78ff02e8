"""A refused action in words: one catalog key (``errors.<key>``) and its parameters.

The refusal carries what it means, never a sentence: ``no_complaint`` with
``number="C-1"``. The API reads it in English with the codes as they are
(``cannot move from 'closed' to 'accepted'``), what its clients compare against; the
console and the merchant desk read it in the reader's language with every code as its
label (``当前状态不能变更为所选状态（“已办结”→“已受理”）``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from babel.numbers import format_decimal

from dialogs import texts
from dialogs.vocabulary import ComplaintStatus, Language

PREFIX = "errors."
API_LANGUAGE = Language.EN


def _console(group: str) -> Callable[[str, str], str]:
    return lambda code, language: texts.label(language, f"console.{group}_{code}", code)


def _reason(code: str, language: str) -> str:
    return texts.reason_label(code, language).rstrip("。.")


def _request_state(code: str, language: str) -> str:
    return texts.label(language, f"console.request_{code}", code)


#: How a parameter's code reads to people, by the parameter's name; a tuple is a list
#: of such codes. Parameters not named here (numbers, names, counts) are shown as given.
LABELS: Mapping[str, Callable[[str, str], str]] = {
    "status": texts.status_label,
    "current": texts.status_label,
    "target": texts.status_label,
    "statuses": texts.status_label,
    "allowed": texts.status_label,
    "role": _console("role"),
    "have": _console("role"),
    "clock": _console("clock"),
    "clocks": _console("clock"),
    "type": texts.type_label,
    "kinds": texts.offer_kind_label,
    "reasons": _reason,
    "state": _request_state,
}
#: Parameters that are quantities, written the reader's way (``2,000``); ids stay as they are.
_AMOUNTS = frozenset({"limit"})
# Withdrawing is the consumer's own act: people are not told staff could choose it.
_NOT_OFFERED = {"allowed": frozenset({ComplaintStatus.WITHDRAWN})}


def _for_api(value: object) -> str:
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) if value else "none"
    return str(value)


def _for_people(name: str, value: object, language: str) -> str:
    label = LABELS.get(name)
    if isinstance(value, tuple | list):
        shown: Iterable[object] = (v for v in value if v not in _NOT_OFFERED.get(name, ()))
        items = [label(str(v), language) if label else str(v) for v in shown]
        return texts.list_separator(language).join(items) or "—"
    if name in _AMOUNTS and isinstance(value, int):
        return str(format_decimal(value, locale=language.replace("-", "_")))
    return label(str(value), language) if label else str(value)


def api_text(key: str, params: Mapping[str, object]) -> str:
    """The API's sentence: English, codes as they are (``no complaint C-1``)."""
    values = {name: _for_api(value) for name, value in params.items()}
    return texts.t(API_LANGUAGE, PREFIX + key, **values)


def people_text(key: str, params: Mapping[str, object], language: str) -> str:
    """The sentence a person reads in ``language``, every code as its label."""
    values = {name: _for_people(name, value, language) for name, value in params.items()}
    text = texts.t(language, PREFIX + key, **values)
    return text[:1].upper() + text[1:]
