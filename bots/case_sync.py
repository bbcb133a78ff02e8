"""Keep a consumer's conversation in step with the request rows of their cases.

The conversation keeps a copy of the open requests (dialogs/open_requests.py); staff
actions that close requests go through here so the copy and the rows change in one
transaction. The conversation is locked before a request row is written, the order a
consumer's turn uses, so the two never deadlock on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bots.services import Services
from dialogs import intake
from storage import audit, case_requests
from storage.models import Complaint, Identity, Staff


async def end_evidence_requests(
    services: Services, session: AsyncSession, complaint: Complaint, staff: Staff
) -> None:
    """A case that ended takes no more evidence: withdraw its open evidence requests."""
    if not await case_requests.has_open(
        session=session, complaint_id=complaint.id, kind="evidence"
    ):
        return
    identity = await session.get_one(Identity, complaint.identity_id)
    now = services.now()
    await services.engine.apply(
        session,
        identity,
        lambda conv: intake.drop_request(
            conv, "evidence", complaint.number, now=now, options=services.engine.options
        ),
    )
    await case_requests.end_open(
        session=session, complaint_id=complaint.id, kind="evidence",
        actor=audit.actor_of(staff), now=now,
    )  # fmt: skip
