"""Working-day deadlines against the real 2026 schedule and the provisional 2027 one."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from storage import workdays
from storage.workdays import HolidayFileError, WorkCalendar


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    # The once-per-process memory would otherwise leak between tests.
    monkeypatch.setattr(workdays, "_warned_years", set())


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def fallback_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == "workdays.fallback"]


# ----------------------------------------------------------------- official data (2026)


def test_national_day_2026_matches_the_library(cal: WorkCalendar) -> None:
    for offset in range(7):
        assert not cal.is_workday(date(2026, 10, 1) + timedelta(offset))
    # Saturday 2026-10-10 is the official make-up workday; Sunday 2026-09-20 likewise
    # (for Mid-Autumn/National Day); the library says so, and so must we.
    assert cal.is_workday(date(2026, 10, 10))
    assert cal.is_workday(date(2026, 9, 20))
    assert not cal.is_workday(date(2026, 9, 25))  # Mid-Autumn Festival, a Friday
    assert cal.is_workday(date(2026, 9, 28))
    assert date(2026, 10, 10) in chinese_calendar.constants.workdays


def test_counting_across_national_day(cal: WorkCalendar) -> None:
    # Filed Wednesday 2026-09-30: Oct 1-7 off, then Thu 8, Fri 9, Sat 10 (make-up).
    assert cal.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cal.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert cal.add_workdays(date(2026, 9, 30), 4) == date(2026, 10, 12)


def test_spring_festival_2026(cal: WorkCalendar) -> None:
    for day in range(15, 24):
        assert not cal.is_workday(date(2026, 2, day))
    # Both make-up Saturdays around the festival are workdays.
    assert cal.is_workday(date(2026, 2, 14))
    assert cal.is_workday(date(2026, 2, 28))
    # Filed Friday 2026-02-13: the next working day is the make-up Saturday.
    assert cal.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add_workdays(date(2026, 2, 13), 2) == date(2026, 2, 24)
    # The 7-day acceptance deadline from Friday 2026-02-06.
    assert cal.add_workdays(date(2026, 2, 6), 7) == date(2026, 2, 24)


def test_friday_plus_one_is_monday(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_zero_and_negative(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 3)
    with pytest.raises(ValueError):
        cal.add_workdays(date(2026, 10, 3), -1)


def test_datetime_is_treated_as_its_date(cal: WorkCalendar) -> None:
    assert cal.is_workday(datetime(2026, 10, 10, 9, 30))
    assert cal.add_workdays(datetime(2026, 9, 30, 23, 59), 1) == date(2026, 10, 8)


def test_deadlines(cal: WorkCalendar) -> None:
    accept_due, resolve_due = cal.deadlines(date(2026, 9, 29), 7, 60)
    # Sep 30, Oct 8, 9, 10 (make-up), 12, 13, 14.
    assert accept_due == date(2026, 10, 14)
    assert resolve_due == cal.add_workdays(accept_due, 60)
    assert cal.workdays_between(accept_due, resolve_due) == 60


def test_workdays_between(cal: WorkCalendar) -> None:
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert cal.workdays_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert cal.workdays_between(date(2026, 10, 1), date(2026, 10, 1)) == 0
    start = date(2026, 1, 30)
    for n in (0, 1, 7, 60):
        assert cal.workdays_between(start, cal.add_workdays(start, n)) == n


def test_no_warning_within_official_data(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="storage.workdays"):
        cal.deadlines(date(2026, 3, 2), 7, 60)
    assert fallback_records(caplog) == []


# ----------------------------------------------------------------- fallback (2027)


def test_filed_end_of_2026_gets_a_2027_deadline(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="storage.workdays"):
        accept_due, resolve_due = cal.deadlines(date(2026, 12, 28), 7, 60)
    # Dec 29, 30, 31, then (New Year's Day off, from the holidays library) Jan 4, 5, 6, 7.
    assert accept_due == date(2027, 1, 7)
    assert resolve_due.year == 2027
    assert cal.workdays_between(accept_due, resolve_due) == 60


def test_fallback_is_weekdays(cal: WorkCalendar) -> None:
    assert cal.is_workday(date(2027, 3, 5))  # Friday
    assert not cal.is_workday(date(2027, 3, 6))  # Saturday
    assert cal.add_workdays(date(2027, 3, 5), 1) == date(2027, 3, 8)


def test_spring_festival_2027_comes_from_the_holidays_library(cal: WorkCalendar) -> None:
    # chinesecalendar stops at 2026; the holidays library computes the festival:
    # Friday 02-05 (New Year's Eve) to Wednesday 02-10, the weekend days observed after.
    assert cal.source(2026) == "chinesecalendar" and cal.source(2027) == "holidays"
    for day in range(5, 11):
        assert not cal.is_workday(date(2027, 2, day)), day
    assert cal.is_workday(date(2027, 2, 4)) and cal.is_workday(date(2027, 2, 11))
    # Before: plain weekdays, so Thursday 02-04 + 2 was Tuesday 02-09.
    assert cal.add_workdays(date(2027, 2, 4), 2) == date(2027, 2, 12)
    report = cal.year_report(2027)
    assert report.provisional
    assert (date(2027, 2, 5), date(2027, 2, 10)) in [(a, b) for a, b, _ in report.holidays]
    assert not cal.year_report(2026).provisional


def test_deadlines_reaching_2027_are_provisional(cal: WorkCalendar) -> None:
    assert not cal.provisional_between(date(2026, 3, 2), date(2026, 6, 1))
    assert cal.provisional_between(date(2026, 11, 24), date(2027, 3, 1))
    assert cal.is_provisional(date(2027, 1, 4)) and not cal.is_provisional(date(2026, 12, 31))


def test_resolution_from_late_november_skips_spring_festival_2027(cal: WorkCalendar) -> None:
    # Accepted 2026-12-03: 20 working days left in 2026, then New Year's Day and the
    # Spring Festival week (02-05..02-10, four of them weekdays) are not counted.
    due = cal.add_workdays(date(2026, 12, 3), 60)
    assert due == date(2027, 3, 4)
    weekdays_only = date(2026, 12, 3)
    left = 60
    while left:
        weekdays_only += timedelta(days=1)
        if weekdays_only.year == 2026:
            left -= cal.is_workday(weekdays_only)
        else:
            left -= weekdays_only.weekday() < 5
    assert weekdays_only == date(2027, 2, 25)


def test_fallback_warns_once_per_year(cal: WorkCalendar, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="storage.workdays"):
        cal.deadlines(date(2026, 12, 28), 7, 60)
        cal.deadlines(date(2027, 2, 1), 7, 60)
        WorkCalendar().is_workday(date(2027, 5, 5))
    records = fallback_records(caplog)
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert getattr(records[0], "year", None) == 2027
    assert getattr(records[0], "source", None) == "holidays"
    assert "2027" in records[0].getMessage()
    with caplog.at_level(logging.WARNING, logger="storage.workdays"):
        cal.is_workday(date(2028, 1, 3))
    assert [getattr(r, "year", None) for r in fallback_records(caplog)] == [2027, 2028]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_holiday_file_honoured_in_2027(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# 2027 schedule, typed in by the operator\n"
        "2027-01-01\n"
        "\n"
        "2027-02-08   # Spring Festival starts\n"
        "+2027-02-06\n",
    )
    cal = WorkCalendar(path)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 2, 6))  # a Saturday, listed as make-up
    assert not cal.is_workday(date(2027, 2, 8))
    # Dec 29, 30, 31, (Jan 1 skipped) Jan 4, 5, 6, 7.
    assert cal.deadlines(date(2026, 12, 28), 7, 60)[0] == date(2027, 1, 7)
    # Filed Friday 2027-02-05: Saturday is a make-up workday; 9 and 10 are off (library).
    assert cal.add_workdays(date(2027, 2, 5), 1) == date(2027, 2, 6)
    assert cal.add_workdays(date(2027, 2, 5), 2) == date(2027, 2, 11)


def test_holiday_file_corrects_the_library(tmp_path: Path) -> None:
    # The published 2027 schedule may differ from the computed one: "+" makes a day a
    # workday whatever the library says, a plain line adds a day off.
    cal = WorkCalendar(write(tmp_path, "+2027-02-10\n2027-10-07\n"))
    assert cal.is_workday(date(2027, 2, 10))
    assert not cal.is_workday(date(2027, 10, 7))
    report = cal.year_report(2027)
    assert report.file_entries == 2 and report.makeup == (date(2027, 2, 10),)
    runs = [(a, b) for a, b, _ in report.holidays]
    assert (date(2027, 10, 1), date(2027, 10, 5)) in runs
    assert (date(2027, 10, 7), date(2027, 10, 7)) in runs
    assert (date(2027, 2, 5), date(2027, 2, 9)) in runs


def test_holiday_file_does_not_override_official_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, "2026-10-08\n+2026-10-11\n")
    with caplog.at_level(logging.INFO, logger="storage.workdays"):
        cal = WorkCalendar(path)
    assert cal.is_workday(date(2026, 10, 8))
    assert not cal.is_workday(date(2026, 10, 11))
    assert any(getattr(r, "event", None) == "workdays.file_shadowed" for r in caplog.records)


@pytest.mark.parametrize(
    "line",
    ["2027/01/01", "20270101", "2027-W01-1", "2027-02-30", "holiday", "+", "++2027-01-01"],
)
def test_malformed_holiday_file_is_refused(tmp_path: Path, line: str) -> None:
    path = write(tmp_path, f"2027-01-01\n{line}\n")
    with pytest.raises(HolidayFileError, match=":2:"):
        WorkCalendar(path)


def test_date_both_holiday_and_workday_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HolidayFileError, match="both"):
        WorkCalendar(write(tmp_path, "2027-01-01\n+2027-01-01\n"))


def test_missing_holiday_file_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        WorkCalendar(tmp_path / "nope.txt")


def test_a_moment_counts_as_its_local_day(cal: WorkCalendar) -> None:
    # 16:30 UTC on the make-up Saturday 2026-10-10 is Sunday 00:30 in Beijing: no work.
    assert not cal.is_workday(datetime(2026, 10, 10, 16, 30, tzinfo=UTC))
    assert cal.is_workday(datetime(2026, 10, 10, 15, 30, tzinfo=UTC))
