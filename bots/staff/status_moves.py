"""Moving a complaint through its lifecycle, as staff do it.

One transaction: the move (checked against the lifecycle machine), the consumer's notice
(outbox), the rating question after a resolution, the forward to the merchant on
acceptance, and the audit entry commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.case_sync import end_evidence_requests
from bots.services import Services
from bots.staff.errors import Conflict, Invalid
from bots.staff.guards import locked_complaint
from dialogs import intake, lifecycle
from dialogs.vocabulary import ComplaintStatus
from storage import audit, case_requests, complaints, outbox, status_machine
from storage.models import Identity, Staff


@dataclass(frozen=True)
class StatusChanged:
    number: str
    status: str
    notice_ids: tuple[int, ...]


async def change_status(
    services: Services,
    staff: Staff,
    number: str,
    target: str,
    note: str | None,
    *,
    notify: bool = True,
    reason: str | None = None,
) -> StatusChanged:
    """Move a complaint and, when the consumer is told of such moves, queue the notice.

    A rejection takes a ``reason`` from ``lifecycle.REJECTION_REASONS`` (``other`` with a
    note); the consumer reads the reason in their language. After ``resolved`` (or
    ``closed`` without an earlier ``resolved``) the consumer's conversation moves to the
    rating question, which goes out as a second notice.
    """
    note = (note or "").strip() or None
    reason = (reason or "").strip() or None
    if target not in lifecycle.STATUSES:
        raise Invalid("unknown_status", target=target, statuses=tuple(lifecycle.STATUSES))
    _check_reason(target, reason, note)
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        previous = complaint.status
        try:
            status_machine.check(previous, target)
        except lifecycle.IllegalMove as illegal:
            raise Conflict(
                "illegal_move", current=illegal.current, target=illegal.target,
                allowed=illegal.allowed,
            ) from None  # fmt: skip
        if lifecycle.needs_reason(target) and not note and reason is None:
            raise Invalid("needs_note", target=target)
        now = services.now()
        identity = await session.get_one(Identity, complaint.identity_id)
        moved = await complaints.move_status(
            session=session,
            complaint=complaint,
            target=target,
            actor=audit.actor_of(staff),
            note=note,
            now=now,
            deadlines=services.deadlines,
            reason=reason,
            tell=identity if notify else None,
        )
        if lifecycle.is_final(target):
            await end_evidence_requests(services, session, complaint, staff)
        if complaint.anonymised_at == now:
            # The consumer asked for erasure and this move closed the case: it was just
            # anonymised, so what staff wrote is not kept in the audit log either.
            note = None
        if target == ComplaintStatus.ACCEPTED:
            from bots.merchants.forward import forward_on_accept

            await forward_on_accept(services, session, complaint, staff, now)
        ids: list[int] = [moved.notice.id] if moved.notice is not None else []
        ask_rating = target == ComplaintStatus.RESOLVED or (
            target == ComplaintStatus.CLOSED and previous != ComplaintStatus.RESOLVED
        )
        if notify and ask_rating and complaint.rating is None:
            replies = await services.engine.apply(
                session,
                identity,
                lambda conv: intake.enter_rating(
                    conv, number, now=now, options=services.engine.options
                ),
            )
            if replies:
                rating = await outbox.enqueue(
                    session=session,
                    identity=identity,
                    replies=replies,
                    now=now,
                    complaint_id=complaint.id,
                    kind="rating",
                    facts={"number": number, "status": target},
                )
                ids.append(rating.id)
            await case_requests.open_request(
                session=session, complaint=complaint, kind="rating",
                actor=audit.actor_of(staff), now=now,
            )  # fmt: skip
        audit.record(
            session,
            staff=staff,
            action="complaint.status",
            target=number,
            detail={"from": previous, "to": target, "note": note, "reason": reason,
                    "notices": ids},
            now=now,
        )
    return StatusChanged(number=number, status=target, notice_ids=tuple(ids))


def _check_reason(target: str, reason: str | None, note: str | None) -> None:
    """A rejection needs a reason from the list (``other`` also a note); nothing else has one."""
    if lifecycle.needs_rejection_reason(target):
        if reason not in lifecycle.REJECTION_REASONS:
            raise Invalid("needs_reason", reasons=tuple(lifecycle.REJECTION_REASONS))
        if reason == "other" and not note:
            raise Invalid("other_needs_note")
    elif reason is not None:
        raise Invalid("reason_only_rejection", target=target)
