"""What staff do to complaints, shared by the API and the console.

Each action is one transaction: the change, the consumer's notice (outbox) and the
audit entry commit together or not at all. Role checks live here too, so the API and
the console can never disagree about who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bots.case_sync import end_evidence_requests
from bots.services import Services
from dialogs import intake, lifecycle
from dialogs.clock import local_date
from dialogs.events import Reply
from dialogs.texts import t
from storage import audit, case_requests, casework, complaints, outbox, status_machine
from storage import staff as staff_store
from storage.models import Complaint, Identity, Staff


class ActionError(Exception):
    """A refused action; ``status`` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ActionError):
    status = 404


class Forbidden(ActionError):
    status = 403


class Conflict(ActionError):
    """The lifecycle does not allow this; ``allowed`` names the moves that are."""

    status = 409

    def __init__(self, message: str, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.allowed = allowed


class Invalid(ActionError):
    status = 422


def require(staff: Staff, role: str) -> None:
    """Raise Forbidden unless ``staff`` has at least ``role``."""
    if not staff_store.role_at_least(staff.role, role):
        raise Forbidden(f"this needs the {role} role; you are {staff.role}")


def today(services: Services) -> date:
    """The desk's date (``WEIQUAN_TIMEZONE``), against which deadlines are read."""
    return local_date(services.now())


async def locked_complaint(session: AsyncSession, number: str) -> Complaint:
    complaint = await casework.by_number(session=session, number=number, lock=True)
    if complaint is None:
        raise NotFound(f"no complaint {number}")
    return complaint


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
        raise Invalid(f"unknown status {target!r}; statuses: {', '.join(lifecycle.STATUSES)}")
    _check_reason(target, reason, note)
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        previous = complaint.status
        try:
            status_machine.check(previous, target)
        except lifecycle.IllegalMove as illegal:
            raise Conflict(str(illegal), illegal.allowed) from None
        if lifecycle.needs_reason(target) and not note and reason is None:
            raise Invalid(f"moving to {target} needs a note giving the consumer the reason")
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
        if target == "accepted":
            from bots.merchants.forward import forward_on_accept

            await forward_on_accept(services, session, complaint, staff, now)
        ids: list[int] = [moved.notice.id] if moved.notice is not None else []
        ask_rating = target == "resolved" or (target == "closed" and previous != "resolved")
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
            raise Invalid(
                "a rejection needs a reason, one of: " + ", ".join(lifecycle.REJECTION_REASONS)
            )
        if reason == "other" and not note:
            raise Invalid("the reason 'other' needs a note giving the consumer the reason")
    elif reason is not None:
        raise Invalid(f"a reason goes only with a rejection, not with {target}")


async def add_note(services: Services, staff: Staff, number: str, text: str) -> None:
    """An internal note: on the timeline for staff, never shown to the consumer."""
    text = checked_text(text)
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        now = services.now()
        casework.add_event(
            session,
            complaint,
            kind="note",
            actor=audit.actor_of(staff),
            note=text,
            now=now,
            public=False,
        )
        audit.record(session, staff=staff, action="complaint.note", target=number, now=now)


async def send_message(services: Services, staff: Staff, number: str, text: str) -> int:
    """A message to the consumer about their complaint; returns the notice id."""
    text = checked_text(text)
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        identity = await session.get_one(Identity, complaint.identity_id)
        now = services.now()
        casework.add_event(
            session,
            complaint,
            kind="message",
            actor=audit.actor_of(staff),
            note=text,
            now=now,
            public=True,
        )
        lang = identity.language
        body = t(lang, "staff_notice.message", number=number, text=text)
        if not lifecycle.is_final(complaint.status):
            body += "\n" + t(lang, "staff_notice.reply_hint")
            # The consumer's next free text answers on this case (dialogs/case_reply.py).
            await services.engine.apply(
                session,
                identity,
                lambda conv: intake.open_reply_window(
                    conv, number, now=now, options=services.engine.options
                ),
            )
        reply = Reply(body)
        notice = await outbox.enqueue(
            session=session,
            identity=identity,
            replies=[reply],
            now=now,
            complaint_id=complaint.id,
            kind="message",
            facts={"number": number, "status": complaint.status, "summary": text},
        )
        audit.record(
            session,
            staff=staff,
            action="complaint.message",
            target=number,
            now=now,
            detail={"notice": notice.id},
        )
        return notice.id


async def assign(services: Services, staff: Staff, number: str, username: str | None) -> None:
    """Give the complaint to an active staff member (or to nobody). Supervisors only."""
    require(staff, "supervisor")
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        assignee = None
        if username:
            assignee = await staff_store.by_username(session=session, username=username)
            if assignee is None or not assignee.active or assignee.role not in staff_store.ROLES:
                raise Invalid(f"no active staff member {username!r}")
        now = services.now()
        complaint.assignee_id = assignee.id if assignee else None
        casework.add_event(
            session,
            complaint,
            kind="assignment",
            actor=audit.actor_of(staff),
            note=assignee.username if assignee else None,
            now=now,
            public=False,
        )
        audit.record(
            session,
            staff=staff,
            action="complaint.assign",
            target=number,
            now=now,
            detail={"assignee": username},
        )


async def request_evidence(
    services: Services, staff: Staff, number: str, note: str | None = None
) -> int:
    """Put the consumer's conversation into adding evidence to this complaint.

    The request is also a row (``case_requests``) that stays open until a file arrives
    for the complaint or staff withdraw it, whatever the conversation does meanwhile.
    """
    note = (note or "").strip() or None
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        if lifecycle.is_final(complaint.status):
            raise Conflict(f"complaint {number} is {complaint.status}; it takes no evidence")
        identity = await session.get_one(Identity, complaint.identity_id)
        now = services.now()
        replies = await services.engine.apply(
            session,
            identity,
            lambda conv: intake.enter_add_evidence(
                conv, number, now=now, options=services.engine.options, note=note
            ),
        )
        # After the conversation lock, like the consumer's turn: one lock order.
        await case_requests.open_request(
            session=session, complaint=complaint, kind="evidence",
            actor=audit.actor_of(staff), now=now, note=note,
        )  # fmt: skip
        if note:
            text = t(identity.language, "staff_notice.message", number=number, text=note)
            replies = [Reply(text), *replies]
        notice = await outbox.enqueue(
            session=session,
            identity=identity,
            replies=replies,
            now=now,
            complaint_id=complaint.id,
            kind="evidence_request",
            facts={"number": number, "status": complaint.status, "summary": note},
        )
        casework.add_event(
            session,
            complaint,
            kind="evidence",
            actor=audit.actor_of(staff),
            note=note or "evidence requested",
            now=now,
            public=True,
        )
        audit.record(
            session, staff=staff, action="complaint.request_evidence", target=number, now=now
        )
        return notice.id


def checked_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid("the text is empty")
    if len(text) > 2000:
        raise Invalid("the text is longer than 2000 characters")
    return text
