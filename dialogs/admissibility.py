"""Admissibility before filing: the time limit, and disputes accepted elsewhere.

A consumer association or a market regulator's desk does not accept a complaint about
something that happened more than three years ago, nor a dispute a court, an
arbitration body or another agency has already accepted. Better to say so while the
consumer is still typing than to reject the complaint a week later: the dialog stops
at the step that shows it, explains, and offers to ask a question (a consultation)
instead — or, for the time limit, to file anyway, since the desk decides in the end.

The steps that can stop a draft say so in flow.yaml: ``time_limit_years`` on a date
step, ``refuse_if_yes`` on a yes/no step; the intake machine's ``answer`` moves to the
question (``dialogs/machine.py``).
"""

from __future__ import annotations

from dialogs.flow import load_flow
from dialogs.machine import CONSULTATION, fire
from dialogs.questions import ask
from dialogs.turn import Turn


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
    fire(turn, "consult")
    ask(turn)
