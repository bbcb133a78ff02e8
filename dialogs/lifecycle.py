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

The moves are declared once, below, in the form transitions takes them
(:data:`TRANSITIONS`, with :class:`~dialogs.vocabulary.ComplaintStatus` members that the
machine names by their values); ``storage/status_machine.py`` builds the one machine from them
and runs it on the complaint itself. Nothing else lists the moves: which moves a status
allows is asked of that machine.
"""

from __future__ import annotations

from typing import Any

from dialogs.vocabulary import ComplaintStatus

S = ComplaintStatus

STATUSES: tuple[ComplaintStatus, ...] = tuple(ComplaintStatus)

FINAL_STATUSES: frozenset[ComplaintStatus] = frozenset({S.CLOSED, S.WITHDRAWN})

#: The statuses a consumer may withdraw from: while the desk is still working the case.
WITHDRAWABLE: tuple[ComplaintStatus, ...] = (S.SUBMITTED, S.ACCEPTED, S.MEDIATING)

#: The table in the module docstring, as the machine's transitions: one trigger per
#: target status (``submitted`` is only ever the initial status). Listed in the order
#: a desk meets them, which is the order allowed moves are offered in.
TRANSITIONS: tuple[dict[str, Any], ...] = (
    {"trigger": "accept", "source": S.SUBMITTED, "dest": S.ACCEPTED},
    {"trigger": "reject", "source": S.SUBMITTED, "dest": S.REJECTED},
    {"trigger": "mediate", "source": S.ACCEPTED, "dest": S.MEDIATING},
    {"trigger": "transfer", "source": [S.SUBMITTED, S.ACCEPTED, S.MEDIATING, S.FAILED],
     "dest": S.TRANSFERRED},
    {"trigger": "resolve", "source": [S.ACCEPTED, S.MEDIATING], "dest": S.RESOLVED},
    {"trigger": "fail", "source": [S.ACCEPTED, S.MEDIATING], "dest": S.FAILED},
    {"trigger": "close", "source": [S.TRANSFERRED, S.REJECTED, S.RESOLVED, S.FAILED],
     "dest": S.CLOSED},
    {"trigger": "withdraw", "source": list(WITHDRAWABLE), "dest": S.WITHDRAWN},
)

_NEEDS_REASON = frozenset({S.REJECTED, S.FAILED})

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
_RATEABLE = frozenset({S.RESOLVED, S.CLOSED})
# Not ``submitted`` (the bot confirms filing in its reply) and not ``withdrawn`` (the
# consumer did it themselves and was answered at once).
_NOTIFY = frozenset(
    {S.ACCEPTED, S.REJECTED, S.MEDIATING, S.TRANSFERRED, S.RESOLVED, S.FAILED, S.CLOSED}
)


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
        super().__init__(f"cannot move from {str(current)!r} to {str(target)!r} (allowed: {shown})")


def is_final(status: str) -> bool:
    """Whether nothing can happen to a complaint in ``status`` any more."""
    return status in FINAL_STATUSES


def needs_rejection_reason(target: str) -> bool:
    """Whether moving to ``target`` takes a reason from :data:`REJECTION_REASONS`."""
    return target == S.REJECTED


def needs_reason(target: str) -> bool:
    """Whether moving to ``target`` requires a note the consumer will read.

    A rejection and a failed mediation must tell the consumer why, and what they can do
    next (arbitration, court), as the complaint rules require.
    """
    return target in _NEEDS_REASON


def consumer_can_withdraw(status: str) -> bool:
    """Whether the consumer may withdraw: only while the desk is still working the case."""
    return status in WITHDRAWABLE


def consumer_can_rate(status: str) -> bool:
    """Whether the consumer may rate the handling: once resolved, or closed."""
    return status in _RATEABLE


def notify_consumer_on(status: str) -> bool:
    """Whether reaching ``status`` pushes a progress notice to the consumer."""
    return status in _NOTIFY
