"""The clocks of each request type (the ``clocks`` table of ``dialogs/flow.yaml``).

A clock is a deadline in Chinese working days: a complaint has three (a decision on
acceptance 7 working days after filing; resolution 60 and the end of mediation 45
after acceptance), a report one (the decision whether to open a case, 15 after receipt,
extendable once by 15), a consultation or suggestion one (the answer). This module only
reads and checks the table; ``storage/deadlines.py`` counts the days.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dialogs import lifecycle
from dialogs.flow import FLOW_PATH

# Each clock has a column of its own on the complaint (storage/models.py), so the names
# are a fixed vocabulary; which types have which clock, and for how long, is data.
CLOCK_NAMES = ("acceptance", "resolution", "mediation", "decision", "answer")
STARTS = ("filing", "acceptance")


@dataclass(frozen=True)
class ClockRule:
    """One clock of one request type.

    Attributes:
        name: one of :data:`CLOCK_NAMES`.
        workdays: working days from the start to the due date.
        start: ``filing`` or ``acceptance``.
        running: statuses in which the clock runs.
        met_by: statuses whose reaching (from ``running``) meets the clock.
        extend_times: how often staff may extend it (0: never).
        extend_workdays: working days each extension adds.
    """

    name: str
    workdays: int
    start: str
    running: frozenset[str]
    met_by: frozenset[str]
    extend_times: int = 0
    extend_workdays: int = 0


def _statuses(clock: str, raw: Any) -> frozenset[str]:
    values = frozenset(str(s) for s in raw or ())
    unknown = sorted(values - set(lifecycle.STATUSES))
    if not values or unknown:
        raise ValueError(f"clock {clock}: unknown or missing statuses {unknown}")
    return values


def parse_clocks(data: dict[str, Any]) -> dict[str, tuple[ClockRule, ...]]:
    """The rules by request type, from the ``clocks`` mapping of flow.yaml.

    Raises:
        ValueError: an unknown clock name, start or status, or a type whose clocks
            start at acceptance without an acceptance clock to estimate them from.
    """
    rules: dict[str, tuple[ClockRule, ...]] = {}
    for type_id, clocks in data.items():
        parsed = []
        for name, raw in clocks.items():
            if name not in CLOCK_NAMES:
                raise ValueError(f"type {type_id}: unknown clock {name!r}")
            start = str(raw.get("from", "filing"))
            if start not in STARTS:
                raise ValueError(f"clock {name}: unknown start {start!r}")
            extend = raw.get("extend") or {}
            rule = ClockRule(
                name=name,
                workdays=int(raw["workdays"]),
                start=start,
                running=_statuses(name, raw.get("running")),
                met_by=_statuses(name, raw.get("met_by")),
                extend_times=int(extend.get("times", 0)),
                extend_workdays=int(extend.get("workdays", 0)),
            )
            if rule.workdays < 1 or rule.extend_times < 0 or rule.extend_workdays < 0:
                raise ValueError(f"clock {name}: working days must be positive")
            parsed.append(rule)
        names = {r.name for r in parsed}
        if any(r.start == "acceptance" for r in parsed) and "acceptance" not in names:
            raise ValueError(f"type {type_id}: clocks from acceptance need an acceptance clock")
        rules[str(type_id)] = tuple(parsed)
    return rules


# Settings that override one clock's working days, by (setting, clock name).
OVERRIDES = {
    "accept_workdays": "acceptance",
    "resolve_workdays": "resolution",
    "mediation_workdays": "mediation",
    "answer_workdays": "answer",
}


def with_overrides(
    rules: dict[str, tuple[ClockRule, ...]], overrides: dict[str, int | None]
) -> dict[str, tuple[ClockRule, ...]]:
    """``rules`` with the working days set by the settings named in :data:`OVERRIDES`."""
    days = {OVERRIDES[k]: v for k, v in overrides.items() if k in OVERRIDES and v is not None}
    return {
        type_id: tuple(replace(r, workdays=days.get(r.name, r.workdays)) for r in clocks)
        for type_id, clocks in rules.items()
    }


@lru_cache(maxsize=1)
def load_clocks(path: Path = FLOW_PATH) -> dict[str, tuple[ClockRule, ...]]:
    """The clocks table of flow.yaml, read once per process."""
    with path.open(encoding="utf-8") as fh:
        return parse_clocks(yaml.safe_load(fh).get("clocks") or {})


def running_where(clock: str) -> dict[str, frozenset[str]]:
    """For one clock: the statuses it runs in, by request type (types without it absent)."""
    return {
        type_id: rule.running
        for type_id, clocks in load_clocks().items()
        for rule in clocks
        if rule.name == clock
    }
