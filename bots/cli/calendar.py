"""``weiquan calendar check``: which source covers which year, and what is provisional."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dialogs import clock
from storage.workdays import HolidayFileError, WorkCalendar


def report(
    holidays_file: Path | None, timezone: str, first: int, last: int
) -> tuple[list[str], bool]:
    """The lines to print for the years ``first``..``last``, and whether all is well.

    A holiday file that cannot be read or has a bad line is reported (not raised): the
    operator runs this command to find out exactly that.
    """
    try:
        calendar = WorkCalendar(holidays_file)
    except (HolidayFileError, OSError) as error:
        return [f"holidays file: {error}"], False
    today = clock.local_date()
    lines = [
        f"time zone: {timezone} (today {today.isoformat()})",
        f"holidays file: {holidays_file or 'none (WEIQUAN_HOLIDAYS_FILE)'}",
    ]
    provisional_from: date | None = None
    for year in range(first, last + 1):
        found = calendar.year_report(year)
        state = "provisional" if found.provisional else "published"
        extra = f", holidays file: {found.file_entries} entries" if found.file_entries else ""
        lines.append(f"{year}  {found.source:<15} {state}{extra}")
        if not found.provisional:
            continue
        provisional_from = provisional_from or date(year, 1, 1)
        for start, end, name in found.holidays:
            span = start.isoformat() if start == end else f"{start}..{end}"
            lines.append(f"      off  {span:<22} {name}")
        for day in found.makeup:
            lines.append(f"      work {day.isoformat():<22} make-up workday (holidays file)")
        if not found.makeup:
            lines.append("      no make-up workdays known: add them to the holidays file")
    if provisional_from is not None:
        lines.append(
            f"provisional: {provisional_from.isoformat()} onwards. Deadlines counted over these "
            "days are marked provisional and may move when the State Council publishes the "
            "schedule; upgrade chinesecalendar or add the days to WEIQUAN_HOLIDAYS_FILE."
        )
    else:
        lines.append("provisional: none in these years")
    return lines, True
