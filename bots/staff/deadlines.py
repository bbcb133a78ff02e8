"""Extending a deadline: only where the rules allow it, with a note the consumer reads.

The rules are the ``extend`` entries of the clocks table (``dialogs/flow.yaml``): a
report's decision on opening a case may be extended once, by 15 working days. The new
due date, the timeline entry, the consumer's notice (in their language) and the audit
entry commit in one transaction, as a status move does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bots.services import Services
from bots.staff.errors import Conflict, Invalid, NotFound
from bots.staff.guards import checked_text, locked_complaint
from dialogs.clocks import CLOCK_NAMES
from dialogs.replies import Reply
from dialogs.texts import format_date, t, type_label
from storage import audit, casework, outbox
from storage.deadlines import CannotExtend
from storage.models import Identity, Staff


@dataclass(frozen=True)
class Extended:
    """The outcome of an extension."""

    number: str
    clock: str
    previous_due: date
    due: date
    provisional: bool
    notice_id: int


async def extend_deadline(
    services: Services, staff: Staff, number: str, clock: str, note: str
) -> Extended:
    """Push ``clock`` of complaint ``number`` back by its extension and tell the consumer.

    Raises:
        Invalid: an unknown clock, or no note.
        NotFound: no such complaint.
        Conflict: the type has no such clock, it is not running, it may not be extended,
            or it was already extended as often as the rules allow.
    """
    if clock not in CLOCK_NAMES:
        # Not echoed: the path segment is whatever the client sent.
        raise Invalid("unknown_clock", clocks=tuple(CLOCK_NAMES))
    if not (number.isascii() and number.isalnum() and len(number) <= 32):
        # A NUL or an over-long value would abort the PostgreSQL transaction (22021, 22001).
        raise NotFound("no_complaint", number=number[:32])
    try:
        note = checked_text(note)
    except Invalid:
        raise Invalid("extension_note") from None
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        try:
            previous, due = services.deadlines.extend(complaint, clock)
        except CannotExtend as refused:
            raise Conflict(refused.key, **refused.params) from None
        now = services.now()
        casework.add_event(
            session,
            complaint,
            kind="deadline",
            actor=audit.actor_of(staff),
            note=f"{clock}: {previous.isoformat()} → {due.isoformat()}. {note}",
            now=now,
            public=True,
        )
        identity = await session.get_one(Identity, complaint.identity_id)
        lang = identity.language
        text = t(
            lang,
            "staff_notice.extended",
            type=type_label(complaint.type, lang),
            clock=t(lang, f"clock.{clock}"),
            number=number,
            date=format_date(lang, due),
            note=note,
        )
        notice = await outbox.enqueue(
            session=session,
            identity=identity,
            replies=[Reply(text)],
            now=now,
            complaint_id=complaint.id,
            kind="deadline",
        )
        audit.record(
            session,
            staff=staff,
            action="complaint.extend_deadline",
            target=number,
            now=now,
            detail={
                "clock": clock,
                "from": previous.isoformat(),
                "to": due.isoformat(),
                "note": note,
                "notice": notice.id,
            },
        )
        provisional = clock in (complaint.provisional_deadlines or ())
    return Extended(number, clock, previous, due, provisional, notice.id)
