"""The one text lookup (:func:`t`, with plural forms) and the labels other parts reuse.

Every word lives in the catalog of ``dialogs/locales/`` (see :mod:`dialogs.catalog`):
the chat's, the console's, the merchant desk's. Templates get :func:`translator`.

The staff side and the notice worker import :func:`status_label`,
:func:`category_label` and :func:`render_notice` so a consumer reads the same words in
the dialog and in a progress notice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from dialogs.catalog import COUNT, LOCALE_DIR, Catalog, choose, load
from dialogs.clock import local_date
from dialogs.flow import load_flow
from dialogs.replies import Reply
from dialogs.vocabulary import DEFAULT_LANGUAGE, Language

LANGUAGES: tuple[Language, ...] = tuple(Language)


@lru_cache(maxsize=len(LANGUAGES) + 1)
def _loaded(language: str) -> Catalog:
    return load(LOCALE_DIR, language if language in LANGUAGES else DEFAULT_LANGUAGE)


def catalog(language: str) -> dict[str, str]:
    """The flat ``key -> text`` catalog of one language (unknown languages get zh-CN).

    It holds the chat's texts and, under their prefixes, the console's (``console.``),
    the merchant desk's (``merchant_desk.``) and the alerts page's (``alerts.``).
    """
    return _loaded(language).texts


def t(language: str, key: str, **values: Any) -> str:
    """Look up ``key`` in the catalog of ``language`` and fill in ``values``.

    A text with plural forms is chosen by the count ``n`` (CLDR rules of the language:
    ``"{n} working day left"`` for 1, ``"{n} working days left"`` otherwise in English).
    A missing key falls back to zh-CN and then to the key itself, so a deployment that
    trims a catalog gets a visible gap instead of a crash.
    """
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    count = values.get(COUNT)
    text = (
        choose(_loaded(language), language, key, count)
        or choose(_loaded(DEFAULT_LANGUAGE), DEFAULT_LANGUAGE, key, count)
        or key
    )
    if not values:
        return text
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return text


def label(language: str, key: str, default: str) -> str:
    """The plain text of ``key`` (no values), or ``default`` when the catalog lacks it."""
    return catalog(language).get(key, default)


def translator(language: str, domain: str) -> Callable[..., str]:
    """A ``t(key, **values)`` for one part's templates: ``domain.key`` in ``language``."""

    def translate(key: str, **values: Any) -> str:
        return t(language, f"{domain}.{key}", **values)

    return translate


def list_separator(language: str) -> str:
    """What joins the items of a list in a sentence: ``、`` in Chinese, ``, `` in English."""
    return catalog(language)["format.list_separator"]


def format_date(language: str, value: date | datetime | None) -> str:
    """A date in the consumer's language (``2026年11月20日`` / ``20 Nov 2026``).

    A moment (a stored UTC datetime) is shown as its local day (``WEIQUAN_TIMEZONE``):
    filed at 01:00 Beijing time reads as that day, not the UTC day before.
    """
    if value is None:
        return t(language, "summary.empty")
    day = local_date(value) if isinstance(value, datetime) else value
    return t(language, "format.date", d=day)


def status_label(status: str, language: str) -> str:
    """The label of a complaint status (``accepted`` → ``已受理`` / ``Accepted``)."""
    return catalog(language).get(f"status.{status}", status)


def offer_kind_label(kind: str, language: str) -> str:
    """The label of a merchant's kind of offer (``refund`` → ``退款`` / ``Refund``)."""
    return catalog(language).get(f"merchant_desk.kind_{kind}", kind)


def type_label(type_id: str, language: str) -> str:
    """The label of a request type (``complaint`` → ``投诉`` / ``Complaint``)."""
    return catalog(language).get(f"type.{type_id}", type_id)


def category_label(category_id: str, language: str) -> str:
    """The label of a category or subcategory id from flow.yaml (the id if unknown)."""
    for category in load_flow().categories:
        if category.id == category_id:
            return category.label(language)
    for category in load_flow().categories:
        for sub in category.sub:
            if sub.id == category_id:
                return sub.label(language)
    return category_id


def reason_label(reason: str, language: str) -> str:
    """The words of a rejection reason (``time_barred`` → "…more than 3 years ago.")."""
    return catalog(language).get(f"rejection.{reason}", reason)


def demand_label(demand_id: str, language: str) -> str:
    """The label of a demand id (``refund`` → ``退款`` / ``Refund``)."""
    demand = load_flow().demand(demand_id)
    return demand.label(language) if demand else demand_id


def render_notice(
    language: str,
    *,
    number: str,
    status: str,
    note: str | None,
    next_deadline: date | None,
    reason: str | None = None,
) -> Reply:
    """The progress notice pushed to a consumer when staff move their complaint.

    Args:
        language: the consumer's language.
        number: the complaint's public number.
        status: the new status.
        note: the staff note shown to the consumer, if any.
        next_deadline: when resolution is expected, if known.
        reason: a rejection's reason (``lifecycle.REJECTION_REASONS``), told in words.

    Returns:
        A reply in one language, e.g. "Your complaint N is now: Accepted. Note: …".
    """
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    lines = [t(lang, "notice.status", number=number, status=status_label(status, lang))]
    if reason:
        lines.append(t(lang, "notice.reason", reason=reason_label(reason, lang)))
    if note and note.strip():
        lines.append(t(lang, "notice.note", note=note.strip()))
    if next_deadline is not None:
        lines.append(t(lang, "notice.deadline", date=format_date(lang, next_deadline)))
    lines.append(t(lang, "notice.check"))
    return Reply("\n".join(lines))
