"""The one transitions Machine of the intake dialog, built from flow.yaml at import.

Building a Machine per message costs several times more CPU than attaching a model to
a shared one, and attaching and detaching a model per move still cost about 5 % of a
message's CPU, so :data:`MACHINE` is built once with one model per thread attached for
good; :func:`move` sets that model's answers and state, fires ``next`` or ``back`` and
clears the answers again. A move never awaits, so one model serves a whole event loop.

``next`` and ``back`` are generated per request type: from each step to the following
(or preceding) step whose ``when`` condition holds, to ``confirm`` after the last step,
and straight back to ``confirm`` while an item of the summary is being edited.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from transitions import EventData, Machine

from dialogs.flow import Flow, load_flow


class State(StrEnum):
    """Dialog states that are not steps of the flow (those are named in flow.yaml)."""

    START = "start"
    MENU = "menu"
    CONFIRM = "confirm"
    EDIT_PICK = "edit_pick"
    CANCEL_CONFIRM = "cancel_confirm"
    RESUME = "resume"
    LANGUAGE = "language"
    MY_LIST = "my_list"
    MY_DETAIL = "my_detail"
    CONFIRM_WITHDRAW = "confirm_withdraw"
    ADDING_EVIDENCE = "adding_evidence"
    RATING = "rating"
    RATING_COMMENT = "rating_comment"
    LINK_CONFIRM = "link_confirm"
    REPLYING = "replying"
    # Admissibility, asked inside a draft (dialogs/admissibility.py).
    TIME_LIMIT = "time_limit"
    ELSEWHERE_REFUSED = "elsewhere_refused"


Condition = Callable[[EventData], bool]


def _answers(event: EventData) -> dict[str, Any]:
    answers: dict[str, Any] = getattr(event.model, "answers", {})
    return answers


def _draft(event: EventData) -> dict[str, Any]:
    draft = _answers(event).get("draft")
    return draft if isinstance(draft, dict) else {}


def has_subcategories(answers: dict[str, Any], flow: Flow) -> bool:
    """The chosen category has a second level to choose from."""
    draft = answers.get("draft") or {}
    category = flow.category(draft.get("category"))
    return bool(category and category.sub)


def leave_contact(answers: dict[str, Any], flow: Flow) -> bool:
    """The consumer gives contact details (complaints always do)."""
    return answers.get("contact_mode") != "anonymous"


#: Conditions a step's ``when`` may name in flow.yaml.
WHEN: dict[str, Callable[[dict[str, Any], Flow], bool]] = {
    "has_subcategories": has_subcategories,
    "leave_contact": leave_contact,
}


def applicable_steps(answers: dict[str, Any], flow: Flow | None = None) -> list[str]:
    """The steps of the current type whose ``when`` condition holds, in order."""
    flow = flow or load_flow()
    names = flow.types.get(str(answers.get("type")), ())
    return [
        n for n in names
        if flow.steps[n].when is None or WHEN[str(flow.steps[n].when)](answers, flow)
    ]


def _is_type(type_id: str) -> Condition:
    def check(event: EventData) -> bool:
        return _answers(event).get("type") == type_id

    return check


def _when(name: str | None, flow: Flow) -> list[Condition]:
    if name is None:
        return []
    test = WHEN[name]
    return [lambda event: test(_answers(event), flow)]


def _is_editing(event: EventData) -> bool:
    return bool(_answers(event).get("editing"))


def _editing_complete(flow: Flow) -> Condition:
    """Editing, and every step that now applies has an answer: back to the summary."""

    def check(event: EventData) -> bool:
        answers = _answers(event)
        done = set(answers.get("done_steps") or ())
        return bool(answers.get("editing")) and all(
            s in done for s in applicable_steps(answers, flow)
        )

    return check


def build_machine(flow: Flow) -> Machine:
    """Build the shared machine with generated ``next``/``back`` transitions."""
    states = [s.value for s in State] + [n for n in flow.all_steps if n not in set(State)]
    machine = Machine(
        model=None,
        states=states,
        initial=State.START.value,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=True,
    )
    add = machine.add_transition
    done_editing = _editing_complete(flow)
    confirm = State.CONFIRM.value
    for type_id, names in flow.types.items():
        of_type = _is_type(type_id)
        for i, src in enumerate(names):
            step = flow.steps[src]
            if not step.edit_continues:
                add("next", src, confirm, conditions=[of_type, done_editing])
            # Transitions are tried in the order added: the first following step whose
            # condition holds wins; an unconditional step ends the search.
            for dst in names[i + 1:]:
                add("next", src, dst, conditions=[of_type, *_when(flow.steps[dst].when, flow)])
                if flow.steps[dst].when is None:
                    break
            else:
                add("next", src, confirm, conditions=[of_type])
            add("back", src, confirm, conditions=[of_type, _is_editing])
            for dst in reversed(names[:i]):
                add("back", src, dst, conditions=[of_type, *_when(flow.steps[dst].when, flow)])
                if flow.steps[dst].when is None:
                    break
            else:
                add("back", src, State.MENU.value, conditions=[of_type])
        for dst in reversed(names):
            add("back", confirm, dst, conditions=[of_type, *_when(flow.steps[dst].when, flow)])
            if flow.steps[dst].when is None:
                break
    return machine


class _Model:
    """The model moves are made on: this thread's, attached to :data:`MACHINE` once."""

    state: str

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}


MACHINE = build_machine(load_flow())


class _ThreadModel(threading.local):
    def __init__(self) -> None:
        self.model = _Model()
        MACHINE.add_model(self.model)


_THREAD = _ThreadModel()


def move(state: str, answers: dict[str, Any], trigger: str) -> str:
    """Fire ``trigger`` (``next`` or ``back``) from ``state``; return the new state.

    Args:
        state: the stored state.
        answers: the conversation answers the conditions read.
        trigger: ``next`` or ``back``.

    Returns:
        The state after the move (unchanged when no transition applies).
    """
    if state not in MACHINE.states:
        return state
    model = _THREAD.model
    MACHINE.set_state(state, model)
    model.answers = answers
    try:
        model.trigger(trigger)  # type: ignore[attr-defined]
        return model.state
    finally:
        model.answers = {}
