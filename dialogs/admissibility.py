"""Admissibility before filing: the time limit, and disputes accepted elsewhere.

A consumer association or a market regulator's desk does not accept a complaint about
something that happened more than three years ago, nor a dispute a court, an
arbitration body or another agency has already accepted. Better to say so while the
consumer is still typing than to reject the complaint a week later: the dialog stops
at the step that shows it, explains, and offers to ask a question (a consultation)
instead — or, for the time limit, to file anyway, since the desk decides in the end.

The steps that can stop a draft say so in flow.yaml: ``time_limit_years`` on a date
step, ``refuse_if_yes`` on a yes/no step.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dialogs.flow import Step, load_flow
from dialogs.machine import State, applicable_steps
from dialogs.questions import ask
from dialogs.turn import Turn

#: Dialog states of the admissibility questions (they belong to the draft).
GATE_STATES = frozenset({State.TIME_LIMIT.value, State.ELSEWHERE_REFUSED.value})
CONSULTATION = "consultation"


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def too_old(value: Any, today: date, years: int) -> bool:
    """Whether the ISO date ``value`` lies more than ``years`` before ``today``."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return False
    return day < _years_before(today, years)


def enter_gate(turn: Turn, step: Step, value: Any) -> bool:
    """After ``step`` was answered with ``value``: stop at an admissibility question?

    Returns:
        True when the turn now asks the time-limit or accepted-elsewhere question.
    """
    years = step.params.get("time_limit_years")
    if years and value is not None and too_old(value, turn.today(), int(years)):
        turn.answers["gate_from"] = step.name
        turn.state = State.TIME_LIMIT
        ask(turn)
        return True
    if step.params.get("refuse_if_yes") and value is True:
        turn.answers["gate_from"] = step.name
        turn.state = State.ELSEWHERE_REFUSED
        ask(turn)
        return True
    return False


def to_consultation(turn: Turn) -> None:
    """Turn the draft into a question (consultation), keeping what still applies."""
    flow = load_flow()
    turn.answers.pop("gate_from", None)
    if CONSULTATION not in flow.types:
        return
    keep = set(flow.types[CONSULTATION])
    turn.answers["type"] = CONSULTATION
    turn.answers["editing"] = False
    turn.answers["draft"] = {k: v for k, v in turn.draft.items() if k in keep}
    done = [s for s in turn.answers.get("done_steps") or [] if s in keep]
    turn.answers["done_steps"] = done
    turn.say("admissibility.consultation")
    pending = [s for s in applicable_steps(turn.answers) if s not in done]
    turn.state = pending[0] if pending else State.CONFIRM
    ask(turn)
