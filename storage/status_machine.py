"""The complaint lifecycle machine, run on the complaint itself.

``dialogs/lifecycle.py`` declares the moves; this module builds the one machine from
them, with the complaint as its model (``model_attribute="status"``). A move fires the
target's trigger on the complaint: the machine refuses a move it does not know, sets
``complaint.status``, and its ``after`` callbacks, in order and in the caller's
transaction, do what every move implies:

1. stamp the complaint: ``updated_at``, ``accepted_at`` with the clocks that start at
   acceptance, ``resolved_at``, ``closed_at``;
2. write the history entry: a ``status`` event on the timeline (who, when, why);
3. queue the consumer's progress notice, when the move is one the consumer is told of
   and the caller named the consumer to tell.

A closing move of a case whose consumer asked for erasure while it was open erases it
first (every note and notice of the case goes), then moves it without the note: no
closed case ever keeps what was to be erased, and the consumer is still told.

The machine holds no model: each move fires the event on the complaint it is given
(``MACHINE.events[trigger].trigger(complaint, move=…)``), so nothing is attached to the
machine, detached or leaked. Which moves a status allows is asked of the machine too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession
from transitions import EventData, Machine, State

from dialogs import lifecycle
from dialogs.clock import local_date
from dialogs.lifecycle import IllegalMove
from dialogs.texts import reason_label, render_notice
from dialogs.vocabulary import ComplaintStatus
from storage import erasure, outbox
from storage.deadlines import Deadlines
from storage.models import Complaint, ComplaintEvent, Identity, OutboxNotice


@dataclass
class Move:
    """The facts of one move, and what its callbacks wrote.

    Attributes:
        session: the caller's transaction.
        actor: who moved it (``staff:NAME``, ``consumer``, ``merchant:ID``, ``system``).
        note: why, in the words the consumer reads (or None).
        now: when.
        reason: a rejection's reason from ``lifecycle.REJECTION_REASONS``.
        deadlines: starts the clocks at acceptance (None leaves them as they are).
        tell: the consumer to send the progress notice to (None: no notice).
        event: the history entry written.
        notice: the progress notice queued, if any.
    """

    session: AsyncSession
    actor: str
    note: str | None
    now: datetime
    reason: str | None = None
    deadlines: Deadlines | None = None
    tell: Identity | None = None
    event: ComplaintEvent | None = None
    notice: OutboxNotice | None = None


def _facts(event: EventData) -> tuple[Complaint, Move]:
    return cast(Complaint, event.model), cast(Move, event.kwargs["move"])


def _stamp(event: EventData) -> None:
    complaint, move = _facts(event)
    complaint.updated_at = move.now
    target = complaint.status
    if target == ComplaintStatus.ACCEPTED:
        complaint.accepted_at = move.now
        if move.deadlines is not None:
            move.deadlines.start_at_acceptance(complaint, local_date(move.now))
    elif target in (ComplaintStatus.RESOLVED, ComplaintStatus.FAILED):
        complaint.resolved_at = move.now
    elif lifecycle.is_final(target):
        complaint.closed_at = move.now


def _record_history(event: EventData) -> None:
    complaint, move = _facts(event)
    assert event.transition is not None
    move.event = ComplaintEvent(
        complaint_id=complaint.id,
        kind="status",
        from_status=ComplaintStatus(str(event.transition.source)),
        to_status=complaint.status,
        actor=move.actor,
        note=move.note,
        reason=move.reason,
        at=move.now,
    )
    move.session.add(move.event)


def next_deadline(complaint: Complaint) -> date | None:
    """The next date the desk owes the consumer something, as the notice tells it."""
    if complaint.status in (ComplaintStatus.ACCEPTED, ComplaintStatus.MEDIATING):
        return complaint.resolve_due
    if complaint.status == ComplaintStatus.SUBMITTED:
        return complaint.accept_due
    return None


def _queue_notice(event: EventData) -> None:
    complaint, move = _facts(event)
    identity = move.tell
    if identity is None or not lifecycle.notify_consumer_on(complaint.status):
        return
    note = move.note
    reply = render_notice(
        identity.language,
        number=complaint.number,
        status=complaint.status,
        note=note,
        next_deadline=next_deadline(complaint),
        reason=move.reason,
    )
    summary = reason_label(move.reason, identity.language) if move.reason else note
    move.notice = outbox.queue(
        session=move.session,
        identity=identity,
        replies=[reply],
        now=move.now,
        complaint_id=complaint.id,
        kind="status",
        facts={"number": complaint.number, "status": complaint.status, "summary": summary},
    )


def _named(move: dict[str, Any]) -> dict[str, Any]:
    """A declared move with its statuses as plain names: transitions would name an enum
    member by its Python name (``SUBMITTED``), not by the value the column stores."""

    def name(status: Any) -> Any:
        return [str(s) for s in status] if isinstance(status, list) else str(status)

    return {key: name(value) if key in ("source", "dest") else value
            for key, value in move.items()}  # fmt: skip


class StatusMachine(Machine):
    """A machine whose states are named by :class:`ComplaintStatus` values.

    transitions names a state given as an enum member by the member's Python name
    (``SUBMITTED``); the lifecycle's states are named by the values the column stores,
    so the complaint's status is looked up by its value, and a move leaves the member
    itself on the complaint.
    """

    def get_state(self, state: str | Enum) -> State:
        return super().get_state(str(state) if isinstance(state, ComplaintStatus) else state)

    def set_state(self, state: str | Enum | State, model: object | None = None) -> None:
        super().set_state(state, model)
        if isinstance(model, Complaint):
            model.status = ComplaintStatus(model.status)


MACHINE = StatusMachine(
    model=None,
    states=[str(s) for s in lifecycle.STATUSES],
    transitions=[_named(t) for t in lifecycle.TRANSITIONS],
    initial=str(ComplaintStatus.SUBMITTED),
    model_attribute="status",
    # The default to_<status>() triggers would allow any move, closed → accepted too.
    auto_transitions=False,
    send_event=True,
    ignore_invalid_triggers=False,
    after_state_change=[_stamp, _record_history, _queue_notice],
    name="lifecycle",
)

#: The trigger that reaches each status, read off the machine.
TRIGGERS: dict[ComplaintStatus, str] = {
    ComplaintStatus(str(t.dest)): name
    for name, ev in MACHINE.events.items()
    for moves in ev.transitions.values()
    for t in moves
}


def allowed_moves(status: str) -> tuple[ComplaintStatus, ...]:
    """The statuses a complaint in ``status`` may move to; empty when final or unknown."""
    return tuple(
        ComplaintStatus(str(t.dest))
        for ev in MACHINE.events.values()
        for t in ev.transitions.get(status, ())
    )


def check(current: str, target: str) -> None:
    """Refuse a move the machine does not have.

    Raises:
        IllegalMove: no such move, or either status is unknown.
    """
    allowed = allowed_moves(current)
    if target not in allowed:
        raise IllegalMove(current, target, allowed)


async def move(complaint: Complaint, target: str, facts: Move) -> Move:
    """Move ``complaint`` to ``target``: the machine's checks, the status, its callbacks.

    Raises:
        IllegalMove: the lifecycle has no such move from the complaint's status.
    """
    check(complaint.status, target)
    if lifecycle.is_final(target) and complaint.erase_on_close:
        await erasure.anonymise(
            session=facts.session, complaint=complaint, now=facts.now, reason="erase_on_close"
        )
        facts.note = None
    MACHINE.events[TRIGGERS[ComplaintStatus(target)]].trigger(complaint, move=facts)
    await facts.session.flush()
    return facts
