"""The clocks of a complaint: set at filing and acceptance, extended, read for display.

Each clock of a request type (``dialogs/clocks.py``) has a due-date column on the
complaint (:data:`COLUMNS`). Days are local days (``dialogs/clock.py``) counted in
Chinese working days (``storage/workdays.py``). A due date counted over a year whose
schedule is not yet published is *provisional*: its clock is listed in
``Complaint.provisional_deadlines`` and shown so in the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dialogs.clocks import ClockRule, load_clocks, with_overrides
from storage.models import Complaint
from storage.workdays import WorkCalendar

COLUMNS: Mapping[str, str] = {
    "acceptance": "accept_due",
    "resolution": "resolve_due",
    "mediation": "mediation_due",
    "decision": "decision_due",
    "answer": "answer_due",
}


class CannotExtend(Exception):
    """The rules do not allow extending this clock now: the catalog key of why
    (``errors.<key>``, see :mod:`dialogs.refusals`) and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def due(complaint: Complaint, clock: str) -> date | None:
    """The due date of ``clock`` on ``complaint`` (None when not set)."""
    value: date | None = getattr(complaint, COLUMNS[clock])
    return value


@dataclass(frozen=True)
class ClockView:
    """One clock of a case as staff see it.

    ``workdays_left`` (today up to the due date) and ``overdue_by`` (working days past
    it) are set only while the clock runs.
    """

    name: str
    due: date
    running: bool
    workdays_left: int | None
    overdue_by: int | None
    extensions: int
    can_extend: bool
    provisional: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "clock": self.name,
            "due": self.due.isoformat(),
            "running": self.running,
            "workdays_left": self.workdays_left,
            "overdue_by": self.overdue_by,
            "extensions": self.extensions,
            "can_extend": self.can_extend,
            "provisional": self.provisional,
        }


@dataclass(frozen=True)
class Deadlines:
    """Working-day rules for every request type, and the calendar to count them in."""

    calendar: WorkCalendar
    rules: Mapping[str, tuple[ClockRule, ...]] = field(default_factory=load_clocks)

    @classmethod
    def configured(cls, calendar: WorkCalendar, **overrides: int | None) -> Deadlines:
        """The flow.yaml table with the settings' overrides (``accept_workdays=…``)."""
        return cls(calendar, with_overrides(load_clocks(), overrides))

    def clocks_of(self, type_id: str) -> tuple[ClockRule, ...]:
        """The clocks of a request type (an unknown type gets the complaint's)."""
        return self.rules.get(type_id) or self.rules.get("complaint", ())

    def rule(self, type_id: str, clock: str) -> ClockRule | None:
        return next((r for r in self.clocks_of(type_id) if r.name == clock), None)

    def workdays(self, type_id: str, clock: str) -> int | None:
        rule = self.rule(type_id, clock)
        return rule.workdays if rule else None

    def start_at_filing(self, complaint: Complaint, filed: date) -> None:
        """Set every clock at filing; clocks from acceptance estimated from its deadline.

        At filing nobody knows when the complaint will be accepted, so the consumer is
        shown the latest: the acceptance deadline plus the period.
        """
        accept = self.rule(complaint.type, "acceptance")
        accept_due = self.calendar.add_workdays(filed, accept.workdays) if accept else filed
        for rule in self.clocks_of(complaint.type):
            start = filed if rule.start == "filing" else accept_due
            self._set(complaint, rule, start, self.calendar.add_workdays(start, rule.workdays))

    def start_at_acceptance(self, complaint: Complaint, accepted: date) -> None:
        """Count the clocks that start at acceptance from the day it happened."""
        for rule in self.clocks_of(complaint.type):
            if rule.start == "acceptance":
                end = self.calendar.add_workdays(accepted, rule.workdays)
                self._set(complaint, rule, accepted, end)

    def extend(self, complaint: Complaint, clock: str) -> tuple[date, date]:
        """Push ``clock`` back by its extension; returns ``(old due, new due)``.

        Raises:
            CannotExtend: the type has no such clock, it is not running, it may not be
                extended, or its extensions are used up.
        """
        rule = self.rule(complaint.type, clock)
        old = due(complaint, clock) if rule else None
        if rule is None or old is None:
            raise CannotExtend("clock_missing", type=complaint.type, clock=clock)
        if not rule.extend_times:
            raise CannotExtend("clock_fixed", clock=clock, type=complaint.type)
        used = extensions(complaint, clock)
        if used >= rule.extend_times:
            raise CannotExtend("clock_extended", clock=clock, n=used)
        if complaint.status not in rule.running:
            raise CannotExtend("clock_stopped", clock=clock, status=complaint.status)
        new = self.calendar.add_workdays(old, rule.extend_workdays)
        self._set(complaint, rule, old, new, keep_provisional=True)
        complaint.deadline_extensions = {
            **(complaint.deadline_extensions or {}),
            clock: used + 1,
        }
        return old, new

    def views(self, complaint: Complaint, *, today: date) -> list[ClockView]:
        """Every clock of the case with a due date, in the table's order."""
        shown = []
        for rule in self.clocks_of(complaint.type):
            day = due(complaint, rule.name)
            if day is None:
                continue
            running = complaint.status in rule.running
            used = extensions(complaint, rule.name)
            shown.append(
                ClockView(
                    name=rule.name,
                    due=day,
                    running=running,
                    workdays_left=(
                        self.calendar.workdays_between(today, day)
                        if running and day >= today
                        else None
                    ),
                    overdue_by=(
                        self.calendar.workdays_between(day, today)
                        if running and day < today
                        else None
                    ),
                    extensions=used,
                    can_extend=running and used < rule.extend_times,
                    provisional=rule.name in (complaint.provisional_deadlines or ()),
                )
            )
        return shown

    def _set(
        self,
        complaint: Complaint,
        rule: ClockRule,
        start: date,
        end: date,
        *,
        keep_provisional: bool = False,
    ) -> None:
        setattr(complaint, COLUMNS[rule.name], end)
        marked = [c for c in complaint.provisional_deadlines or () if c != rule.name]
        was = rule.name in (complaint.provisional_deadlines or ())
        if self.calendar.provisional_between(start, end) or (keep_provisional and was):
            marked.append(rule.name)
        # A new list, so SQLAlchemy sees the change of a JSON column.
        complaint.provisional_deadlines = marked


def extensions(complaint: Complaint, clock: str) -> int:
    """How often ``clock`` was extended."""
    return int((complaint.deadline_extensions or {}).get(clock, 0))
