"""The console's statistics charts and CSV files, in the staff member's language.

Each chart is a list of ``(label, value, link)``: the label in words, the link to the
list filtered to that bar. The day axis is continuous (a day without complaints is a
zero bar, not a missing one). CSV files have readable headers, labels, local times,
and the description, demands and amount columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from bots.staff import labels as console_labels
from bots.staff.schemas import ComplaintExportRow, Statistics
from bots.staff.views import _cell
from dialogs import texts
from dialogs.clock import zone_label
from dialogs.texts import category_label, status_label, type_label
from storage import casework

CHARTS = ("by_status", "by_category", "by_platform", "by_day", "ratings")


def _days(first: date, last: date, counts: dict[str, int]) -> list[tuple[str, int]]:
    span = max(0, (last - first).days)
    days = (first + timedelta(days=i) for i in range(span + 1))
    return [(d.isoformat(), counts.get(d.isoformat(), 0)) for d in days]


def series(
    figures: Statistics, filters: casework.Filters, today: date, language: str
) -> list[dict[str, Any]]:
    """Every chart: ``{"key", "title", "rows": [(label, value, link)]}``."""
    t = texts.translator(language, "console")
    window = {"filed_from": filters.filed_from, "filed_to": filters.filed_to}

    def link(**extra: Any) -> str:
        given = {k: v for k, v in {**window, **extra}.items() if v not in (None, "")}
        return "/console/complaints?" + urlencode({k: str(v) for k, v in given.items()})

    first = filters.filed_from or today - timedelta(days=30)
    last = filters.filed_to or today
    rows = {
        "by_status": [(status_label(k, language), v, link(status=k))
                      for k, v in figures.by_status.items()],
        "by_category": [(category_label(k, language), v, link(category=k))
                        for k, v in figures.by_category.items()],
        "by_platform": [(console_labels.platform_label(k, language), v, link(platform=k))
                        for k, v in figures.by_platform.items()],
        "by_day": [(day, v, link(filed_from=day, filed_to=day))
                   for day, v in _days(first, last, figures.by_day)],
        "ratings": [(str(k), v, "") for k, v in figures.ratings.distribution.items()],
    }  # fmt: skip
    return [{"key": key, "title": t(key), "rows": rows[key]} for key in CHARTS]


def chart_csv(chart: dict[str, Any], language: str) -> str:
    """One chart as a two-column CSV (label, count)."""
    t = texts.translator(language, "console")
    first = t("day") if chart["key"] == "by_day" else t("label")
    return _csv([first, t("count")], ([label, value] for label, value, _ in chart["rows"]))


EXPORT_COLUMNS = (
    "number", "type", "category", "subcategory", "platform", "status", "merchant",
    "filed", "amount", "demands", "description", "accept_due", "resolve_due", "assignee",
    "contact", "rating",
)  # fmt: skip


def export_csv(rows: Iterable[ComplaintExportRow], language: str) -> str:
    """The console's list export: headers and values in ``language``, local times."""
    t = texts.translator(language, "console")
    headers = [
        f"{t('filed')} ({zone_label()})" if c == "filed" else t(c)
        for c in EXPORT_COLUMNS
    ]
    return _csv(headers, (_export_row(r, language) for r in rows))


def _export_row(r: ComplaintExportRow, language: str) -> list[Any]:
    return [
        r.number, type_label(r.type, language), category_label(r.category, language),
        console_labels.subcategory_label(r.category, r.subcategory, language),
        console_labels.platform_label(r.platform, language),
        status_label(r.status, language), r.merchant_name or "",
        console_labels.local_time(r.filed_at, with_zone=False),
        console_labels.money(r.amount, language),
        console_labels.demands_label(r.demands, language), r.description or "",
        r.accept_due or "", r.resolve_due or "", r.assignee or "",
        f"{r.contact_name} {r.contact_phone}".strip(), r.rating or "",
    ]  # fmt: skip


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheet programs read the Chinese right with a BOM
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
