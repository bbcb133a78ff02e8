"""What staff do on one complaint's casework: notes, messages, assignment, evidence.

Each action is one transaction: the change, the consumer's notice (outbox) and the
audit entry commit together or not at all. Status moves are in
:mod:`bots.staff.status_moves`, the checks every action shares in :mod:`bots.staff.guards`.
"""

from __future__ import annotations

from bots.services import Services
from bots.staff.errors import Conflict, Invalid
from bots.staff.guards import checked_text, locked_complaint, require
from dialogs import intake, lifecycle
from dialogs.replies import Reply
from dialogs.texts import t
from storage import audit, case_requests, casework, outbox
from storage import staff as staff_store
from storage.models import Identity, Staff


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
                raise Invalid("no_staff", username=username)
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
            raise Conflict("no_evidence", number=number, status=complaint.status)
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
