"""The intake machine: the states of a draft and every move between them.

A request starts a draft; each valid answer moves to the next step of the request
type (``dialogs/flow.yaml``) whose ``when`` condition holds, or to an admissibility
question, or to the summary; ``back`` goes back; the summary confirms or edits;
``cancel`` asks first; a consumer who comes back after hours, or asks for a new request
over an unfinished one, is asked whether to resume. Each move is a trigger with
conditions on the turn, and the dialog code fires triggers (:func:`fire`) instead of
setting a draft's state itself: the graph the machine draws (``docs/intake.mmd``,
``weiquan diagrams``) is the graph the dialog runs.

The model is the turn. Each message has its own :class:`~dialogs.turn.Turn`, holding
the state and the answers the conditions read, and a move fires the event on it:
``MACHINE.events[trigger].trigger(turn, **facts)``. The machine is built once at import
(building one per message costs several times more CPU) and holds no model, so nothing
is attached or detached per message and threads share it.

The screens around a draft (my complaints, rating, linking, data rights, offers, the
language question) are states here too, so a request can start from any of them; their
own moves are their modules' (``dialogs/my_complaints.py``…).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, cast

from transitions import EventData, Machine

from dialogs.flow import Flow, load_flow
from dialogs.turn import Turn
from dialogs.validators import too_old


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
    DELETE_CONFIRM = "delete_confirm"
    CONSENT_PICK = "consent_pick"
    OFFER = "offer"
    MERCHANT_CONSENT = "merchant_consent"


#: The admissibility questions a draft can stop at.
GATES = (State.TIME_LIMIT.value, State.ELSEWHERE_REFUSED.value)
#: The type an admissibility question offers to turn the draft into.
CONSULTATION = "consultation"

Condition = Callable[[EventData], bool]


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


def has_draft(answers: dict[str, Any], flow: Flow | None = None) -> bool:
    """A draft holds something the consumer would lose (answers or evidence)."""
    if answers.get("type") not in (flow or load_flow()).types:
        return False
    return bool(
        answers.get("draft") or answers.get("done_steps") or answers.get("evidence_count")
    )


def resume_target(answers: dict[str, Any]) -> str:
    """Where "continue" at the resume question goes: the parked question."""
    target = str(answers.get("resume_state") or State.MENU.value)
    if target == State.CANCEL_CONFIRM:
        return str(answers.get("cancel_return") or State.MENU.value)
    return target


def open_target(answers: dict[str, Any]) -> str:
    """The first step of the draft's type still unanswered, else the summary."""
    done = set(answers.get("done_steps") or ())
    pending = [s for s in applicable_steps(answers) if s not in done]
    return pending[0] if pending else State.CONFIRM.value


# --------------------------------------------------------------------------- conditions


def _turn(event: EventData) -> Turn:
    return cast(Turn, event.model)


def _named(name: str, check: Condition) -> Condition:
    # transitions labels a condition with its __name__ in the graph it draws.
    check.__name__ = name
    return check


def _type_is(type_id: str) -> Condition:
    return _named(f"type_is_{type_id}", lambda e: _turn(e).answers.get("type") == type_id)


def _type_in(types: list[str]) -> Condition:
    return lambda e: _turn(e).answers.get("type") in types


def _when(name: str | None, flow: Flow) -> list[Condition]:
    if name is None:
        return []
    test = WHEN[name]
    return [_named(name, lambda e: test(_turn(e).answers, flow))]


def _answer_is(key: str, target: str, name: str = "returns_here") -> Condition:
    """The answer kept under ``key`` names ``target`` (where a question returns to)."""
    return _named(name, lambda e: _turn(e).answers.get(key) == target)


def _picked(step: str) -> Condition:
    return _named("picked_here", lambda e: e.kwargs.get("step") == step)


def _targets(step: str, where: Callable[[dict[str, Any]], str], name: str) -> Condition:
    return _named(name, lambda e: where(_turn(e).answers) == step)


def _editing(event: EventData) -> bool:
    return bool(_turn(event).answers.get("editing"))


def _editing_complete(flow: Flow) -> Condition:
    """Editing, and every step that now applies has an answer: back to the summary."""

    def editing_complete(event: EventData) -> bool:
        answers = _turn(event).answers
        done = set(answers.get("done_steps") or ())
        return bool(answers.get("editing")) and all(
            s in done for s in applicable_steps(answers, flow)
        )

    return editing_complete


def _outside_time_limit(step: str, years: int) -> Condition:
    def outside_time_limit(event: EventData) -> bool:
        turn = _turn(event)
        value = (turn.answers.get("draft") or {}).get(step)
        return value is not None and too_old(value, turn.today(), years)

    return outside_time_limit


def _answered_yes(step: str) -> Condition:
    return _named("answered_yes", lambda e: (_turn(e).answers.get("draft") or {}).get(step)
                  is True)


def _keeps_a_draft(event: EventData) -> bool:
    return has_draft(_turn(event).answers)


def _no_step_named(event: EventData) -> bool:
    return event.kwargs.get("step") is None


# --------------------------------------------------------------------------- callbacks


def _remember(key: str) -> Callable[[EventData], None]:
    def remember_source(event: EventData) -> None:
        assert event.transition is not None
        _turn(event).answers[key] = event.transition.source

    return remember_source


def _forget(*keys: str) -> Callable[[EventData], None]:
    def forget(event: EventData) -> None:
        for key in keys:
            _turn(event).answers.pop(key, None)

    return forget


def _start_editing(event: EventData) -> None:
    _turn(event).answers["editing"] = True


def _stop_editing(event: EventData) -> None:
    _turn(event).answers["editing"] = False


# --------------------------------------------------------------------------- transitions


class _Declared:
    """The transitions as transitions takes them, in the order they are tried."""

    def __init__(self) -> None:
        self.transitions: list[dict[str, Any]] = []

    def add(self, trigger: str, source: str | list[str], dest: str | None,
            conditions: Iterable[Condition] = (), **callbacks: Any) -> None:
        # Plain names: transitions reads an Enum state by its member name.
        self.transitions.append({
            "trigger": trigger,
            "source": str(source) if isinstance(source, str) else [str(s) for s in source],
            "dest": None if dest is None else str(dest),
            "conditions": list(conditions), **callbacks,
        })

    def forward(self, trigger: str, source: str, names: tuple[str, ...], i: int,
                flow: Flow, conditions: list[Condition], **callbacks: Any) -> None:
        """From step ``names[i]`` (or a question asked after it) to the step after it.

        Transitions are tried in the order added: the first following step whose
        condition holds wins; an unconditional step ends the search; past the last
        step lies the summary.
        """
        if not flow.steps[names[i]].edit_continues:
            self.add(trigger, source, State.CONFIRM,
                     [*conditions, _editing_complete(flow)], **callbacks)
        for dst in names[i + 1:]:
            self.add(trigger, source, dst, [*conditions, *_when(flow.steps[dst].when, flow)],
                     **callbacks)
            if flow.steps[dst].when is None:
                return
        self.add(trigger, source, State.CONFIRM, conditions, **callbacks)

    def backward(self, source: str, names: tuple[str, ...], flow: Flow,
                 conditions: list[Condition], otherwise: str) -> None:
        """From ``source`` to the last of ``names`` whose condition holds."""
        for dst in reversed(names):
            self.add("back", source, dst, [*conditions, *_when(flow.steps[dst].when, flow)])
            if flow.steps[dst].when is None:
                return
        if otherwise:
            self.add("back", source, otherwise, conditions)


def _returns(declared: _Declared, trigger: str, source: str, targets: Iterable[str],
             key: str, otherwise: str) -> None:
    """``source`` back to the state kept under ``key``, else ``otherwise``."""
    for target in targets:
        declared.add(trigger, source, target, [_answer_is(key, target)], after=_forget(key))
    declared.add(trigger, source, otherwise, after=_forget(key))


def declare(flow: Flow) -> list[dict[str, Any]]:
    """Every transition of the intake dialog, generated from the flow."""
    d = _Declared()
    confirm, menu = State.CONFIRM.value, State.MENU.value
    steps = list(flow.all_steps)
    draft_states = [*steps, confirm, State.EDIT_PICK.value, *GATES]
    seen: set[str] = set()
    gated: dict[str, list[str]] = {gate: [] for gate in GATES}
    # A request: first the question whether to resume the unfinished draft it would
    # replace, else the first step of its type.
    d.add("request", "*", State.RESUME, [_named("keeps_a_draft", _keeps_a_draft)])
    firsts = {names[0] for names in flow.types.values()}
    for first in sorted(firsts):
        types = [t for t, names in flow.types.items() if names[0] == first]
        starts_here = [] if len(firsts) == 1 else [_named(f"starts_at_{first}", _type_in(types))]
        d.add("request", "*", first, starts_here)
    for type_id, names in flow.types.items():
        of_type = _type_is(type_id)
        for i, src in enumerate(names):
            step = flow.steps[src]
            years = step.params.get("time_limit_years")
            if src not in seen:
                # The admissibility questions come first: the answer stops the draft.
                if years:
                    gated[State.TIME_LIMIT].append(src)
                    d.add("answer", src, State.TIME_LIMIT,
                          [_named("outside_time_limit", _outside_time_limit(src, int(years)))],
                          before=_remember("gate_from"))
                if step.params.get("refuse_if_yes"):
                    gated[State.ELSEWHERE_REFUSED].append(src)
                    d.add("answer", src, State.ELSEWHERE_REFUSED, [_answered_yes(src)],
                          before=_remember("gate_from"))
                seen.add(src)
            d.forward("answer", src, names, i, flow, [of_type])
            if years:
                # "File anyway" at the time-limit question goes on from the date.
                asked_after = _answer_is("gate_from", src, f"asked_after_{src}")
                d.forward("answer", State.TIME_LIMIT, names, i, flow, [of_type, asked_after],
                          after=_forget("gate_from"))
            d.add("back", src, confirm, [of_type, _named("editing", _editing)])
            d.backward(src, names[:i], flow, [of_type], menu)
        d.backward(confirm, names, flow, [of_type], "")
    d.add("back", State.EDIT_PICK, confirm)
    for gate in GATES:
        # "Change my answer" (or back) at an admissibility question: to that answer.
        _returns(d, "back", gate, gated[gate], "gate_from", menu)
        if CONSULTATION in flow.types:
            for target in [*flow.types[CONSULTATION], confirm]:
                d.add("consult", gate, target,
                      [_targets(target, open_target, "first_open_here")],
                      after=_forget("gate_from"))
    d.add("edit", confirm, State.EDIT_PICK, [_named("no_step_named", _no_step_named)])
    for source in (confirm, State.EDIT_PICK.value):
        for step_name in steps:
            d.add("edit", source, step_name, [_picked(step_name)], before=_start_editing)
    # Filing: the engine answers (dialogs/results.py). Defensive: a step skipped by
    # "back" while editing is asked before filing.
    d.add("confirm", confirm, None, [_targets(confirm, open_target, "all_answered")])
    for step_name in steps:
        d.add("confirm", confirm, step_name,
              [_targets(step_name, open_target, "first_unanswered")], before=_start_editing)
    d.add("cancel", draft_states, State.CANCEL_CONFIRM, before=_remember("cancel_return"))
    d.add("confirm", State.CANCEL_CONFIRM, menu, after=_forget("cancel_return"))
    _returns(d, "back", State.CANCEL_CONFIRM, draft_states, "cancel_return", menu)
    _returns(d, "resume", State.CANCEL_CONFIRM, draft_states, "cancel_return", menu)
    d.add("welcome_back", [*draft_states, State.CANCEL_CONFIRM], State.RESUME,
          before=_remember("resume_state"))
    for target in draft_states:
        d.add("resume", State.RESUME, target, [_targets(target, resume_target, "returns_here")],
              after=_forget("resume_new", "resume_state", "cancel_return"))
    d.add("resume", State.RESUME, menu, after=_forget("resume_new", "resume_state"))
    return d.transitions


def build_machine(flow: Flow) -> Machine:
    """The shared machine: every state, the declared transitions, no model."""
    steps = [n for n in flow.all_steps if n not in set(State)]
    states: list[Any] = [
        {"name": s.value, "on_enter": [_stop_editing]} if s == State.CONFIRM else s.value
        for s in State
    ]
    states += steps
    return Machine(
        model=None,
        states=states,
        transitions=declare(flow),
        initial=State.START.value,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
        name="intake",
    )


MACHINE = build_machine(load_flow())


def fire(turn: Turn, trigger: str, **facts: Any) -> bool:
    """Fire ``trigger`` on the turn; the machine moves ``turn.state``.

    Args:
        turn: the message's turn (the machine's model).
        trigger: one of the machine's events (``answer``, ``back``, ``edit``…).
        facts: what the conditions read besides the answers (``step`` for ``edit``).

    Returns:
        Whether a transition was made (False: no condition held, state unchanged).

    Raises:
        transitions.MachineError: the trigger has no transition from the state at all
            (a move the dialog makes that the machine does not declare).
    """
    # A plain name: dialog code may hold a State member, which transitions would read
    # by its member name.
    turn.state = str(turn.state)
    if turn.state not in MACHINE.states:  # a state from an older flow.yaml
        return False
    return MACHINE.events[trigger].trigger(turn, **facts)
