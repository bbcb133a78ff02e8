"""The complaint status machine: which status moves are real, and what each one implies.

The statuses follow how a consumer association or a market regulator's complaint desk
works a complaint (modelled on the SAMR complaint rules behind 12315):

============  ==============================================  ===========================
status        meaning                                         may move to
============  ==============================================  ===========================
submitted     filed by the consumer, not yet looked at        accepted, rejected,
                                                              transferred, withdrawn
accepted      the desk took the case (within 7 working days)  mediating, transferred,
                                                              resolved, failed, withdrawn
mediating     staff are mediating with the merchant           resolved, failed,
                                                              transferred, withdrawn
transferred   handed to the competent authority elsewhere     closed
rejected      not accepted (outside remit, already in court,  closed
              no merchant identified…); a reason is required
resolved      the parties agreed; the consumer may rate it    closed
failed        mediation ended without agreement (merchant     closed, transferred
              refused, no agreement in time); reason needed
closed        the case file is closed                         — (final)
withdrawn     the consumer withdrew the complaint             — (final)
============  ==============================================  ===========================

Why these and no others:

* ``submitted → transferred``: a complaint about a merchant in another city belongs to
  that city's desk; it is forwarded without being accepted here.
* ``accepted → resolved``: many cases settle with one phone call to the merchant, with
  no formal mediation session.
* ``failed → transferred``: a failed mediation that revealed a violation is handed to
  enforcement (a complaint becomes a report); otherwise the consumer is pointed to
  arbitration or court and the case is closed.
* ``transferred``, ``rejected`` and ``resolved`` only close: the desk's part is over.
  Reopening a closed case (``closed → accepted``) is not a move; a consumer who is still
  unhappy files a new complaint, which keeps the closed record honest.
* ``withdrawn`` is reachable only while the desk is still working the case; after an
  outcome (resolved, rejected, failed) there is nothing left to withdraw.

The machine is built once at import (``model=None``): building a ``Machine`` per call
costs several times more CPU, so each check attaches a throw-away model with
``add_model(model, initial=current)`` and detaches it in ``finally`` — forgetting
``remove_model`` would leak every checked model.
"""

from __future__ import annotations

import threading
from types import MappingProxyType

from transitions import Machine, MachineError

STATUSES: tuple[str, ...] = (
    "submitted",
    "accepted",
    "rejected",
    "mediating",
    "transferred",
    "resolved",
    "failed",
    "closed",
    "withdrawn",
)

FINAL_STATUSES: frozenset[str] = frozenset({"closed", "withdrawn"})

# The table in the module docstring, as data: it builds the machine and answers
# allowed_moves() without touching the machine.
MOVES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "submitted": ("accepted", "rejected", "transferred", "withdrawn"),
        "accepted": ("mediating", "transferred", "resolved", "failed", "withdrawn"),
        "mediating": ("resolved", "failed", "transferred", "withdrawn"),
        "transferred": ("closed",),
        "rejected": ("closed",),
        "resolved": ("closed",),
        "failed": ("closed", "transferred"),
        "closed": (),
        "withdrawn": (),
    }
)

# One trigger per target status; ``submitted`` is only ever the initial status.
_TRIGGERS: MappingProxyType[str, str] = MappingProxyType(
    {
        "accepted": "accept",
        "rejected": "reject",
        "mediating": "mediate",
        "transferred": "transfer",
        "resolved": "resolve",
        "failed": "fail",
        "closed": "close",
        "withdrawn": "withdraw",
    }
)

_NEEDS_REASON = frozenset({"rejected", "failed"})

#: Why a complaint is not accepted: the fixed list staff choose from (labels in the
#: language catalogs under ``rejection.<reason>``), after the grounds of the complaint
#: rules — outside the desk's remit, already before a court, an arbitration body or
#: another agency, more than three years old, not a consumer dispute, information
#: missing, the complainant cannot be identified — and ``other`` with a note.
REJECTION_REASONS: tuple[str, ...] = (
    "outside_remit",
    "handled_elsewhere",
    "time_barred",
    "not_consumer_dispute",
    "missing_information",
    "identity_unverifiable",
    "other",
)
_WITHDRAWABLE = frozenset({"submitted", "accepted", "mediating"})
_RATEABLE = frozenset({"resolved", "closed"})
# Not ``submitted`` (the bot confirms filing in its reply) and not ``withdrawn`` (the
# consumer did it themselves and was answered at once).
_NOTIFY = frozenset(
    {"accepted", "rejected", "mediating", "transferred", "resolved", "failed", "closed"}
)


def _build_machine() -> Machine:
    # auto_transitions=False: the default to_<state>() triggers would allow any move,
    # including closed → accepted.
    machine = Machine(
        model=None,
        states=list(STATUSES),
        initial="submitted",
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )
    for source, targets in MOVES.items():
        for target in targets:
            machine.add_transition(_TRIGGERS[target], source, target)
    return machine


MACHINE: Machine = _build_machine()
# add_model/remove_model mutate the machine's shared model list; threads (a sync
# route run in a thread pool) must not interleave them.
_LOCK = threading.Lock()


class _Case:
    """A throw-away model: the machine stores the status in ``state``."""

    state: str


class IllegalMove(Exception):
    """A status move the lifecycle does not allow (or an unknown status).

    Attributes:
        current: the status the complaint has.
        target: the status that was asked for.
        allowed: the statuses ``current`` may move to (empty when final or unknown).
    """

    def __init__(self, current: str, target: str, allowed: tuple[str, ...]) -> None:
        self.current = current
        self.target = target
        self.allowed = allowed
        shown = ", ".join(allowed) if allowed else "none"
        super().__init__(f"cannot move from {current!r} to {target!r} (allowed: {shown})")


def allowed_moves(status: str) -> tuple[str, ...]:
    """The statuses a complaint in ``status`` may move to; empty when final or unknown."""
    return MOVES.get(status, ())


def is_final(status: str) -> bool:
    """Whether nothing can happen to a complaint in ``status`` any more."""
    return status in FINAL_STATUSES


def check_move(current: str, target: str) -> None:
    """Check a status move against the machine.

    Args:
        current: the complaint's stored status.
        target: the status staff (or the consumer, for ``withdrawn``) asked for.

    Raises:
        IllegalMove: the move is not in the table, or either status is unknown.
    """
    allowed = allowed_moves(current)
    if current not in MOVES or target not in _TRIGGERS:
        raise IllegalMove(current, target, allowed)
    case = _Case()
    with _LOCK:
        MACHINE.add_model(case, initial=current)
        try:
            MACHINE.events[_TRIGGERS[target]].trigger(case)
        except MachineError:
            raise IllegalMove(current, target, allowed) from None
        finally:
            MACHINE.remove_model(case)
    # The trigger is bound to its target, so a successful trigger means this state;
    # checked anyway so a future edit of the table cannot silently diverge.
    if case.state != target:  # pragma: no cover - guards table/trigger drift
        raise IllegalMove(current, target, allowed)


def needs_rejection_reason(target: str) -> bool:
    """Whether moving to ``target`` takes a reason from :data:`REJECTION_REASONS`."""
    return target == "rejected"


def needs_reason(target: str) -> bool:
    """Whether moving to ``target`` requires a note the consumer will read.

    A rejection and a failed mediation must tell the consumer why, and what they can do
    next (arbitration, court), as the complaint rules require.
    """
    return target in _NEEDS_REASON


def consumer_can_withdraw(status: str) -> bool:
    """Whether the consumer may withdraw: only while the desk is still working the case."""
    return status in _WITHDRAWABLE


def consumer_can_rate(status: str) -> bool:
    """Whether the consumer may rate the handling: once resolved, or closed."""
    return status in _RATEABLE


def notify_consumer_on(status: str) -> bool:
    """Whether reaching ``status`` pushes a progress notice to the consumer."""
    return status in _NOTIFY
