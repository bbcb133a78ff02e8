"""Carries out the commands the intake dialog returns, inside the engine's transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bots.metrics import COMPLAINTS_FILED
from dialogs.events import (
    Command,
    CommandResult,
    ComplaintList,
    DiscardDraftEvidence,
    Done,
    FileComplaint,
    Filed,
    ListComplaints,
    MarkUnsubscribed,
    NoteInteraction,
    RateComplaint,
    RecordEvidence,
    RecordNoticeConsent,
    Refused,
    ShowComplaint,
    WithdrawComplaint,
)
from storage import complaints, evidence
from storage.complaints import Deadlines
from storage.crypto import FieldCipher
from storage.models import Identity

log = logging.getLogger("weiquan.commands")


class CommandRunner:
    """Runs dialog commands for one consumer; never reaches another consumer's data.

    Args:
        deadlines: working-day rules for new complaints.
        cipher: encrypts contact details at rest.
        max_evidence_files: files per complaint.
        max_evidence_bytes: bytes per file.
    """

    def __init__(
        self,
        deadlines: Deadlines,
        cipher: FieldCipher,
        *,
        max_evidence_files: int = 9,
        max_evidence_bytes: int = 20 * 1024 * 1024,
    ) -> None:
        self.deadlines = deadlines
        self.cipher = cipher
        self.max_evidence_files = max_evidence_files
        self.max_evidence_bytes = max_evidence_bytes

    async def run(
        self, session: AsyncSession, identity: Identity, command: Command, now: datetime
    ) -> CommandResult:
        """Carry out one command and describe the outcome for the dialog."""
        match command:
            case FileComplaint(draft=draft):
                filed = await complaints.file_complaint(
                    session=session,
                    identity=identity,
                    draft=draft,
                    deadlines=self.deadlines,
                    cipher=self.cipher,
                    now=now,
                )
                COMPLAINTS_FILED.labels(filed.type).inc()
                log.info("complaint filed", extra={"number": filed.number, "type": filed.type})
                return Filed(complaints.summarise(filed))
            case RecordEvidence():
                return await self._record_evidence(session, identity, command, now)
            case DiscardDraftEvidence():
                await evidence.discard_draft(session=session, identity=identity)
                return Done()
            case ListComplaints():
                items = await complaints.list_own(session=session, identity=identity)
                return ComplaintList(tuple(items))
            case ShowComplaint(number=number):
                found = await complaints.own_complaint(
                    session=session, identity=identity, number=number
                )
                if found is None:
                    return Refused("not_found")
                return await complaints.detail_for_consumer(session=session, complaint=found)
            case WithdrawComplaint(number=number):
                found = await complaints.own_complaint(
                    session=session, identity=identity, number=number, lock=True
                )
                if found is None:
                    return Refused("not_found")
                if not await complaints.withdraw(session=session, complaint=found, now=now):
                    return Refused("cannot_withdraw")
                return Done()
            case RateComplaint(number=number, score=score, comment=comment):
                found = await complaints.own_complaint(
                    session=session, identity=identity, number=number, lock=True
                )
                if found is None:
                    return Refused("not_found")
                rated = await complaints.rate(
                    session=session, complaint=found, score=score, comment=comment, now=now
                )
                return Done() if rated else Refused("cannot_rate")
            case MarkUnsubscribed():
                identity.unsubscribed_at = now
                return Done()
            case NoteInteraction():
                identity.last_interaction_at = now
                identity.pushes_since_interaction = 0
                return Done()
            case RecordNoticeConsent(consents=consents):
                # A new dict: the JSON column only sees an assignment, not a mutation.
                identity.notice_consents = {**(identity.notice_consents or {}), **dict(consents)}
                return Done()
        raise TypeError(f"unknown command {command!r}")

    async def _record_evidence(
        self, session: AsyncSession, identity: Identity, command: RecordEvidence, now: datetime
    ) -> CommandResult:
        complaint_id: int | None = None
        if command.complaint_number is not None:
            found = await complaints.own_complaint(
                session=session, identity=identity, number=command.complaint_number
            )
            if found is None:
                return Refused("not_found")
            complaint_id = found.id
        try:
            count = await evidence.record(
                session=session,
                identity=identity,
                media=command.media,
                complaint_id=complaint_id,
                max_files=self.max_evidence_files,
                max_bytes=self.max_evidence_bytes,
                now=now,
            )
        except evidence.EvidenceRefused as refused:
            return Refused(refused.reason)
        return Done(count=count)
