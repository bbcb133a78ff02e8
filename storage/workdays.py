"""Deadlines in Chinese working days, with the official make-up workdays.

The complaint rules count in working days (a decision on acceptance within 7, a
resolution within 60), and China moves weekends around its public holidays: Saturday
2026-10-10 is a workday, Monday 2026-10-05 is not. ``chinesecalendar`` carries the State
Council's published schedule; its data ends with the last published year (2026 for
1.11.0) and it raises ``NotImplementedError`` past that. A complaint filed in late
December still needs a deadline, so for years the library does not cover we fall back
to Monday–Friday plus an optional operator file (``WEIQUAN_HOLIDAYS_FILE``), and warn
once per process per year so the operator knows to upgrade the library or fill in the
file.

Holiday file format, one entry per line::

    # 2027, from the State Council notice
    2027-01-01          a holiday (no work that day)
    +2027-02-06         a make-up workday (work on a weekend)

Entries only apply to years the library does not cover: where official data exists it
wins, so a stale file cannot shift a published schedule.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import chinese_calendar

logger = logging.getLogger(__name__)

# Years already warned about in this process: a deadline sweep over thousands of
# complaints must not log thousands of identical warnings.
_warned_years: set[int] = set()
_warned_lock = threading.Lock()
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class HolidayFileError(ValueError):
    """The operator holiday file has a line that is not a date."""


@lru_cache(maxsize=64)
def _library_covers(year: int) -> bool:
    """Whether chinesecalendar has the official schedule for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _parse_holidays_file(path: Path) -> tuple[frozenset[date], frozenset[date]]:
    """Read ``(holidays, makeup_workdays)`` from the operator file.

    Raises:
        HolidayFileError: a line is neither a comment, blank, ``YYYY-MM-DD`` nor
            ``+YYYY-MM-DD`` — a typo must stop the service, not shift deadlines.
        OSError: the configured file cannot be read.
    """
    holidays: set[date] = set()
    workdays: set[date] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        target = workdays if line.startswith("+") else holidays
        text = line.removeprefix("+").strip()
        # fromisoformat alone would also take 20270101 and week dates like 2027-W01-1.
        if not _ISO_DAY.fullmatch(text):
            raise HolidayFileError(f"{path}:{number}: not a YYYY-MM-DD date: {raw.strip()!r}")
        try:
            target.add(date.fromisoformat(text))
        except ValueError:
            raise HolidayFileError(f"{path}:{number}: no such day: {text!r}") from None
    both = holidays & workdays
    if both:
        first = min(both).isoformat()
        raise HolidayFileError(f"{path}: {first} is listed as both a holiday and a workday")
    return frozenset(holidays), frozenset(workdays)


class WorkCalendar:
    """Chinese working days: official data where published, weekdays plus a file after.

    Args:
        holidays_file: the operator file (``WEIQUAN_HOLIDAYS_FILE``), or None.

    Raises:
        HolidayFileError: the file has a malformed line.
        OSError: the file is configured but cannot be read.
    """

    def __init__(self, holidays_file: Path | None = None) -> None:
        self.holidays_file = holidays_file
        self._holidays: frozenset[date] = frozenset()
        self._makeup: frozenset[date] = frozenset()
        # Every complaint filed on one day gets the same deadlines: computed once a day.
        self._deadlines: dict[tuple[date, int, int], tuple[date, date]] = {}
        if holidays_file is not None:
            self._holidays, self._makeup = _parse_holidays_file(holidays_file)
            shadowed = sorted(
                {d.year for d in self._holidays | self._makeup if _library_covers(d.year)}
            )
            if shadowed:
                logger.info(
                    "workdays.file_shadowed years=%s file=%s: official data is used instead",
                    ",".join(map(str, shadowed)),
                    holidays_file,
                    extra={"event": "workdays.file_shadowed", "years": shadowed},
                )

    def is_workday(self, d: date) -> bool:
        """Whether people work on ``d`` (a make-up Saturday counts, a holiday does not)."""
        if isinstance(d, datetime):
            d = d.date()
        if _library_covers(d.year):
            return bool(chinese_calendar.is_workday(d))
        self._warn_fallback(d.year)
        if d in self._makeup:
            return True
        if d in self._holidays:
            return False
        return d.weekday() < 5

    def add_workdays(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; ``start`` itself is not counted.

        Filed on a Friday with ``n=1`` gives the next Monday, unless that is a holiday.
        ``n=0`` returns ``start``.

        Raises:
            ValueError: ``n`` is negative.
        """
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        if isinstance(start, datetime):
            start = start.date()
        day = start
        left = n
        while left:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def deadlines(
        self, filed: date, accept_workdays: int, resolve_workdays: int
    ) -> tuple[date, date]:
        """The acceptance and resolution deadlines shown to the consumer at filing.

        The resolution period starts when the complaint is accepted; at filing we do not
        know when that will be, so we show the latest: acceptance deadline plus the
        resolution period.

        Returns:
            ``(accept_due, resolve_due)``.
        """
        if isinstance(filed, datetime):
            filed = filed.date()
        key = (filed, accept_workdays, resolve_workdays)
        known = self._deadlines.get(key)
        if known is None:
            if len(self._deadlines) > 1000:
                self._deadlines.clear()
            accept_due = self.add_workdays(filed, accept_workdays)
            known = accept_due, self.add_workdays(accept_due, resolve_workdays)
            self._deadlines[key] = known
        return known

    def workdays_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b < a``.

        The inverse of :meth:`add_workdays`: ``workdays_between(a, add_workdays(a, n)) == n``.
        """
        if isinstance(a, datetime):
            a = a.date()
        if isinstance(b, datetime):
            b = b.date()
        if b < a:
            return -self.workdays_between(b, a)
        return sum(
            1 for offset in range(1, (b - a).days + 1) if self.is_workday(a + timedelta(offset))
        )

    def _warn_fallback(self, year: int) -> None:
        with _warned_lock:
            if year in _warned_years:
                return
            _warned_years.add(year)
        entries = sum(1 for d in self._holidays | self._makeup if d.year == year)
        logger.warning(
            "workdays.fallback year=%d holidays_file=%s entries=%d: chinesecalendar has no "
            "official schedule for this year; counting Monday-Friday plus the holiday file",
            year,
            self.holidays_file,
            entries,
            extra={
                "event": "workdays.fallback",
                "year": year,
                "holidays_file": str(self.holidays_file) if self.holidays_file else None,
                "entries": entries,
            },
        )
