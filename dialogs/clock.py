"""The local clock: every date a person sees and every deadline is read in one zone.

Stored times are UTC; the complaint desk works in China time. A complaint filed at
01:00 Beijing time (17:00 UTC the day before) belongs to the Beijing day: its number,
its deadlines, "today" in the dialog and the dates in replies, the console, the API and
the CSV all follow ``WEIQUAN_TIMEZONE`` (default ``Asia/Shanghai``), through
``zoneinfo``. The zone is configured once per process (:func:`configure`, called when
the services are built); everything else asks :func:`local_now` / :func:`local_date`.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"

_zone = ZoneInfo(DEFAULT_TIMEZONE)
_lock = threading.Lock()


def parse_zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (an IANA name such as ``Asia/Shanghai``).

    Raises:
        ValueError: no such zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name like Asia/Shanghai"
        ) from exc


def configure(name: str) -> ZoneInfo:
    """Make ``name`` the zone of this process and return it."""
    global _zone
    zone = parse_zone(name)
    with _lock:
        _zone = zone
    return zone


def zone() -> ZoneInfo:
    """The configured zone."""
    return _zone


def local_now(now: datetime | None = None) -> datetime:
    """``now`` (UTC, or the real time when None) as an aware datetime in the local zone.

    Naive values count as UTC: stored times are UTC, and SQLite drops the offset.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(_zone)


def local_date(now: datetime | None = None) -> date:
    """The local calendar day of ``now`` (the real time when None)."""
    return local_now(now).date()


def day_start(day: date) -> datetime:
    """The UTC instant the local ``day`` begins (for "filed on or after day" filters).

    The first and last days of the calendar have no such instant in every zone: they
    stand for the first and last instants there are.
    """
    try:
        return datetime.combine(day, time(), _zone).astimezone(UTC)
    except OverflowError:
        return (datetime.min if day.year == date.min.year else datetime.max).replace(tzinfo=UTC)


def day_end(day: date) -> datetime:
    """The UTC instant the local day after ``day`` begins (for "filed on or before day")."""
    if day == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return day_start(day + timedelta(days=1))


@overload
def iso(value: datetime) -> str: ...
@overload
def iso(value: None) -> None: ...
@overload
def iso(value: datetime | None) -> str | None: ...
def iso(value: datetime | None) -> str | None:
    """ISO 8601 in the local zone, with its offset (``2026-11-24T01:00:00+08:00``)."""
    return local_now(value).isoformat() if value is not None else None


def zone_label(moment: datetime | None = None) -> str:
    """The label people read next to local times: ``UTC+08:00``, the local zone's offset at
    ``moment`` (now by default); unambiguous where "CST" could be China or US Central time."""
    offset = local_now(moment).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"
