"""Staff actions on a case's pending requests: withdraw one, end them with the case.

Like every staff action, one transaction: the request row, the consumer's conversation
(which keeps a copy of its open requests) and the consumer's notice commit together.
The conversation is locked before the request row is written, the same order as a
consumer's turn, so the two can never deadlock on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.services import Services
from bots.staff.errors import Conflict, NotFound
from bots.staff.guards import locked_complaint
from dialogs import intake
from dialogs.replies import Reply
from dialogs.texts import t
from storage import audit, case_requests, outbox
from storage.models import Identity, Staff


@dataclass(frozen=True)
class Withdrawn:
    number: str
    request_id: int
    kind: str
    notice_id: int


async def withdraw_request(
    services: Services, staff: Staff, number: str, request_id: int
) -> Withdrawn:
    """Staff no longer need what they asked for; the consumer is told so."""
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        request = await case_requests.by_id(
            session=session, complaint=complaint, request_id=request_id
        )
        if request is None:
            raise NotFound("no_request", request=request_id, number=number)
        if request.status != case_requests.OPEN:
            raise Conflict("request_closed", request=request_id, state=request.status)
        identity = await session.get_one(Identity, complaint.identity_id)
        now = services.now()
        kind = request.kind
        replies = await services.engine.apply(
            session,
            identity,
            lambda conv: intake.drop_request(
                conv, kind, number, now=now, options=services.engine.options
            ),
        )
        case_requests.withdraw(request, actor=audit.actor_of(staff), now=now)
        text = t(identity.language, "staff_notice.request_withdrawn", number=number)
        notice = await outbox.enqueue(
            session=session,
            identity=identity,
            replies=[Reply(text), *replies],
            now=now,
            complaint_id=complaint.id,
            kind="request_withdrawn",
        )
        audit.record(
            session,
            staff=staff,
            action="complaint.withdraw_request",
            target=number,
            now=now,
            detail={"request": request_id, "kind": kind},
        )
        return Withdrawn(number, request_id, kind, notice.id)
