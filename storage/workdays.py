"""Deadlines in Chinese working days, with the official make-up workdays.

The complaint rules count in working days (a decision on acceptance within 7, a
resolution within 60), and China moves weekends around its public holidays: Saturday
2026-10-10 is a workday, Monday 2026-10-05 is not. ``chinesecalendar`` carries the State
Council's published schedule; its data ends with the last published year (2026 for
1.11.0) and it raises ``NotImplementedError`` past that. A complaint filed in November
still needs a resolution deadline in 2027, and counting plain weekdays there would
ignore the Spring Festival week. So each year has a source:

* ``chinesecalendar`` — the published schedule (holidays and make-up workdays);
* ``holidays`` — past the published years, China's statutory holidays as the
  ``holidays`` library computes them (the lunar festivals included, but no make-up
  workdays: those are only known once the State Council publishes them). Every date
  of such a year is *provisional*, and so is a deadline counted across one.

An operator file (``WEIQUAN_HOLIDAYS_FILE``) adds and corrects days of provisional
years, one entry per line::

    # 2027, from the State Council notice
    2027-10-07          a holiday (no work that day)
    +2027-02-20         a make-up workday (work that day, whatever else says)

Entries only apply to years the library does not cover: where official data exists it
wins, so a stale file cannot shift a published schedule. Which source covers a year is
logged once per process per year (a warning for provisional years, so the operator
knows to upgrade the library or fill in the file); ``weiquan calendar check`` prints it.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import chinese_calendar
import holidays as holiday_library

from dialogs.clock import local_date

logger = logging.getLogger(__name__)

# Years already warned about in this process: a deadline sweep over thousands of
# complaints must not log thousands of identical warnings.
_warned_years: set[int] = set()
OFFICIAL = "chinesecalendar"
COMPUTED = "holidays"
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
        # is_workday is asked for every day of every open deadline on each list page.
        self._days: dict[date, bool] = {}
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
        d = _day(d)
        known = self._days.get(d)
        if known is None:
            if len(self._days) > 20_000:
                self._days.clear()
            known = self._days[d] = self._compute_workday(d)
        return known

    def _compute_workday(self, d: date) -> bool:
        if _library_covers(d.year):
            self._log_source(d.year)
            return bool(chinese_calendar.is_workday(d))
        self._warn_fallback(d.year)
        if d in self._makeup:
            return True
        if d in self._holidays or d in _computed_holidays(d.year):
            return False
        return d.weekday() < 5

    def source(self, year: int) -> str:
        """``chinesecalendar`` (published) or ``holidays`` (computed, provisional)."""
        return OFFICIAL if _library_covers(year) else COMPUTED

    def is_provisional(self, d: date) -> bool:
        """Whether the schedule of ``d`` is computed rather than published."""
        return not _library_covers(d.year)

    def provisional_between(self, start: date, end: date) -> bool:
        """Whether any day after ``start`` up to ``end`` is provisional.

        A deadline counted over such days may move when the schedule is published.
        """
        start = _day(start)
        end = _day(end)
        low, high = sorted((start, end))
        return any(not _library_covers(y) for y in range(low.year, high.year + 1))

    def year_report(self, year: int) -> YearReport:
        """Where ``year``'s working days come from, and its holidays when provisional."""
        entries = sorted(d for d in self._holidays | self._makeup if d.year == year)
        if _library_covers(year):
            return YearReport(year, OFFICIAL, False, (), len(entries))
        days = {d: str(name) for d, name in _computed_holidays(year).items()}
        days.update({d: "holidays file" for d in self._holidays if d.year == year})
        for d in self._makeup:
            days.pop(d, None)
        ranges: list[tuple[date, date, str]] = []
        for d in sorted(days):
            # "Chinese New Year (Spring Festival) (observed)" is the same holiday.
            name = days[d].replace(" (observed)", "")
            if ranges and (d - ranges[-1][1]).days == 1:
                first, _, names = ranges[-1]
                joined = names if name in names.split(" / ") else f"{names} / {name}"
                ranges[-1] = (first, d, joined)
            else:
                ranges.append((d, d, name))
        makeup = tuple(sorted(d for d in self._makeup if d.year == year))
        return YearReport(year, COMPUTED, True, tuple(ranges), len(entries), makeup)

    def add_workdays(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; ``start`` itself is not counted.

        Filed on a Friday with ``n=1`` gives the next Monday, unless that is a holiday.
        ``n=0`` returns ``start``.

        Raises:
            ValueError: ``n`` is negative.
        """
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        start = _day(start)
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
        filed = _day(filed)
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
        a = _day(a)
        b = _day(b)
        if b < a:
            return -self.workdays_between(b, a)
        return sum(
            1 for offset in range(1, (b - a).days + 1) if self.is_workday(a + timedelta(offset))
        )

    def _log_source(self, year: int) -> None:
        if not _first_time(year):
            return
        logger.info(
            "workdays.source year=%d source=%s: the published schedule",
            year,
            OFFICIAL,
            extra={"event": "workdays.source", "year": year, "source": OFFICIAL},
        )

    def _warn_fallback(self, year: int) -> None:
        if not _first_time(year):
            return
        entries = sum(1 for d in self._holidays | self._makeup if d.year == year)
        logger.warning(
            "workdays.fallback year=%d source=%s holidays_file=%s entries=%d: chinesecalendar "
            "has no published schedule for this year; counting Monday-Friday without the "
            "statutory holidays the holidays library computes, plus the holiday file; "
            "deadlines reaching this year are provisional",
            year,
            COMPUTED,
            self.holidays_file,
            entries,
            extra={
                "event": "workdays.fallback",
                "year": year,
                "source": COMPUTED,
                "holidays_file": str(self.holidays_file) if self.holidays_file else None,
                "entries": entries,
            },
        )


def _day(value: date) -> date:
    """A day: a moment with a zone is read as its local day (``WEIQUAN_TIMEZONE``).

    A naive datetime is a wall-clock time already and counts as its own date.
    """
    if isinstance(value, datetime):
        return local_date(value) if value.tzinfo is not None else value.date()
    return value


def _first_time(year: int) -> bool:
    """True once per process per year: a sweep over thousands of deadlines logs once."""
    with _warned_lock:
        if year in _warned_years:
            return False
        _warned_years.add(year)
    return True


@lru_cache(maxsize=64)
def _computed_holidays(year: int) -> dict[date, str]:
    """China's statutory holidays of ``year`` as the holidays library computes them."""
    return dict(holiday_library.country_holidays("CN", years=year).items())


@dataclass(frozen=True)
class YearReport:
    """One year of the calendar, as ``weiquan calendar check`` prints it.

    Attributes:
        year: the year.
        source: ``chinesecalendar`` or ``holidays``.
        provisional: computed rather than published.
        holidays: for provisional years, runs of days off as ``(first, last, name)``.
        file_entries: lines of the holiday file about this year.
        makeup: make-up workdays from the file (provisional years only).
    """

    year: int
    source: str
    provisional: bool
    holidays: tuple[tuple[date, date, str], ...]
    file_entries: int
    makeup: tuple[date, ...] = ()
