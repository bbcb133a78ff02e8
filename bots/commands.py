"""Carries out the commands the intake dialog returns, inside the engine's transaction."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bots.consumer_answers import answer_consent, answer_offer
from bots.data_rights.commands import run_data_command
from bots.data_rights.links import MyDataLinks
from bots.dossier.links import DossierLinks
from bots.ops.metrics import COMPLAINTS_FILED
from dialogs.command_loop import CommandLoop
from dialogs.command_results import (
    CommandResult,
    ComplaintList,
    Done,
    Filed,
    LinkCodeIssued,
    LinkCodeValid,
    Linked,
    LinkRefused,
    Refused,
)
from dialogs.commands import (
    AnswerConsent,
    AnswerOffer,
    CheckLinkCode,
    Command,
    DiscardDraftEvidence,
    EraseMyData,
    ExportMyData,
    FileComplaint,
    IssueLinkCode,
    ListComplaints,
    ListConsentCases,
    MarkUnsubscribed,
    NoteInteraction,
    RateComplaint,
    RecordEvidence,
    RecordNoticeConsent,
    RedeemLinkCode,
    SendCaseMessage,
    SendDossier,
    ShowComplaint,
    WithdrawComplaint,
    WithdrawConsent,
)
from dialogs.conversation import Conversation, StepResult
from dialogs.lifecycle import is_final
from dialogs.options import DialogOptions
from dialogs.replies import Reply
from dialogs.texts import t
from storage import case_messages, case_requests, complaints, evidence, links, outbox
from storage.complaints import Deadlines
from storage.crypto import FieldCipher
from storage.models import Complaint, Identity

log = logging.getLogger("weiquan.commands")


def link_key(secret_key: str) -> bytes:
    """The key link codes are stored under, derived from the server secret."""
    return hmac.new(secret_key.encode("utf-8"), b"weiquan link codes", hashlib.sha256).digest()


class CommandRunner:
    """Runs dialog commands for one consumer; never reaches another consumer's data.

    Args:
        deadlines: working-day rules for new complaints.
        cipher: encrypts contact details at rest.
        max_evidence_files: files per complaint.
        max_evidence_bytes: bytes per file.
        link_key: the server key link codes are stored under (HMAC); derived from the
            secret key by the caller.
        links_signer: makes the signed links to data exports (WeChat); None: no links.
        settle_workdays: working days an accepted offer has to be carried out in.
        dossier_links: how dossiers reach consumers (signed links need the secret).
    """

    def __init__(
        self,
        deadlines: Deadlines,
        cipher: FieldCipher,
        *,
        max_evidence_files: int = 9,
        max_evidence_bytes: int = 20 * 1024 * 1024,
        link_key: bytes = b"",
        links_signer: MyDataLinks | None = None,
        settle_workdays: int = 7,
        dossier_links: DossierLinks | None = None,
    ) -> None:
        self.deadlines = deadlines
        self.cipher = cipher
        self.max_evidence_files = max_evidence_files
        self.max_evidence_bytes = max_evidence_bytes
        self.link_key = link_key or secrets.token_bytes(32)
        self.links_signer = links_signer
        self.settle_workdays = settle_workdays
        self.dossier_links = dossier_links or DossierLinks(
            secrets.token_urlsafe(32), "http://127.0.0.1:8000"
        )

    async def carry_out(
        self,
        session: AsyncSession,
        identity: Identity,
        result: StepResult,
        now: datetime,
        *,
        options: DialogOptions,
    ) -> tuple[Conversation, list[Reply]]:
        """Carry out a step's commands and their follow-ups (:mod:`dialogs.command_loop`).

        Returns the conversation and the replies at the end. A flow that keeps asking
        for commands is stopped at the loop's bound and logged; what was done stands.
        """
        loop = CommandLoop(result, now=now, options=options)
        for command in loop:
            loop.settle(await self.run(session, identity, command, now))
        if loop.runaway:
            log.error(
                "command loop stopped at its bound",
                extra={
                    "state": loop.conversation.state,
                    "left": [type(c).__name__ for c in loop.runaway],
                },
            )
        return loop.conversation, loop.replies

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
                owners = await self._owners(session, identity)
                items = await complaints.list_own(
                    session=session, identity=identity, owners=owners
                )
                requests = await case_requests.open_for_consumer(
                    session=session, identity_ids={identity.id, *owners}
                )
                return ComplaintList(tuple(items), tuple(requests))
            case ShowComplaint(number=number):
                found = await self._own(session, identity, number)
                if found is None:
                    return Refused("not_found")
                detail = await complaints.detail_for_consumer(session=session, complaint=found)
                requests = await case_requests.open_for_consumer(
                    session=session, identity_ids={found.identity_id}, complaint_id=found.id
                )
                return replace(
                    detail, can_reply=not is_final(found.status), requests=tuple(requests)
                )
            case SendCaseMessage():
                return await self._case_message(session, identity, command, now)
            case WithdrawComplaint(number=number):
                found = await self._own(session, identity, number, lock=True)
                if found is None:
                    return Refused("not_found")
                if not await complaints.withdraw(session=session, complaint=found, now=now):
                    return Refused("cannot_withdraw")
                await case_requests.end_open(
                    session=session, complaint_id=found.id, kind="evidence", actor="consumer",
                    now=now,
                )  # fmt: skip
                return Done()
            case RateComplaint(number=number, score=score, comment=comment):
                found = await self._own(session, identity, number, lock=True)
                if found is None:
                    return Refused("not_found")
                rated = await complaints.rate(
                    session=session, complaint=found, score=score, comment=comment, now=now
                )
                if not rated:
                    return Refused("cannot_rate")
                await case_requests.answer(
                    session=session, complaint_id=found.id, kind="rating", now=now
                )
                return Done()
            case ExportMyData() | EraseMyData() | ListConsentCases() | WithdrawConsent():
                return await run_data_command(
                    session, identity, command, now,
                    cipher=self.cipher, links_signer=self.links_signer,
                )
            case MarkUnsubscribed():
                identity.unsubscribed_at = now
                return Done()
            case AnswerOffer():
                return await answer_offer(
                    session, command, now, owners=await self._owners(session, identity),
                    calendar=self.deadlines.calendar, settle_workdays=self.settle_workdays,
                )  # fmt: skip
            case AnswerConsent():
                owners = await self._owners(session, identity)
                return await answer_consent(session, identity, command, now, owners=owners)
            case SendDossier(number=number, language=language):
                return await self._dossier(session, identity, number, language)
            case IssueLinkCode() | CheckLinkCode() | RedeemLinkCode():
                try:
                    return await self._link(session, identity, command, now)
                except links.LinkRefusal as refusal:
                    return LinkRefused(refusal.reason, refusal.until, refusal.tries_left)
            case NoteInteraction():
                identity.last_interaction_at = now
                identity.pushes_since_interaction = 0
                return Done()
            case RecordNoticeConsent(consents=consents):
                # A new dict: the JSON column only sees an assignment, not a mutation.
                identity.notice_consents = {**(identity.notice_consents or {}), **dict(consents)}
                return Done()
        raise TypeError(f"unknown command {command!r}")

    async def _owners(self, session: AsyncSession, identity: Identity) -> list[int]:
        return await links.group_members(session=session, identity_id=identity.id)

    async def _own(
        self, session: AsyncSession, identity: Identity, number: str, *, lock: bool = False
    ) -> Complaint | None:
        return await complaints.own_complaint(
            session=session,
            identity=identity,
            number=number,
            lock=lock,
            owners=await self._owners(session, identity),
        )

    async def _dossier(
        self, session: AsyncSession, identity: Identity, number: str | None, language: str
    ) -> CommandResult:
        several = False
        if number is None:
            newest = await complaints.list_own(
                session=session,
                identity=identity,
                limit=2,
                owners=await self._owners(session, identity),
            )
            if not newest:
                return Refused("not_found")
            number, several = newest[0].number, len(newest) > 1
        elif await self._own(session, identity, number) is None:
            return Refused("not_found")
        return self.dossier_links.ready(
            platform=identity.platform,
            identity_id=identity.id,
            language=language,
            number=number,
            newest=several,
        )

    async def _link(
        self,
        session: AsyncSession,
        identity: Identity,
        command: IssueLinkCode | CheckLinkCode | RedeemLinkCode,
        now: datetime,
    ) -> CommandResult:
        if isinstance(command, IssueLinkCode):
            issued = await links.issue_code(
                session=session, identity=identity, key=self.link_key, now=now
            )
            log.info("link code issued", extra={"identity": identity.id})
            return LinkCodeIssued(issued.code, issued.expires_at)
        if isinstance(command, CheckLinkCode):
            live = await links.check_code(
                session=session, identity=identity, key=self.link_key, code=command.code, now=now
            )
            return LinkCodeValid(live.code_id, live.issuer_platform)
        issuer, members = await links.redeem(
            session=session, identity=identity, code_id=command.code_id, now=now
        )
        log.info("identities linked", extra={"identity": identity.id, "issuer": issuer.id})
        # The issuer learns at once that their code was used, on their own channel: a
        # link they did not make is visible to them.
        lang = issuer.language
        notice = Reply(t(lang, "link.notice", platform=t(lang, f"platform.{identity.platform}")))
        await outbox.enqueue(
            session=session, identity=issuer, replies=[notice], now=now, kind="link"
        )
        return Linked(len(members))

    async def _record_evidence(
        self, session: AsyncSession, identity: Identity, command: RecordEvidence, now: datetime
    ) -> CommandResult:
        complaint_id: int | None = None
        if command.complaint_number is not None:
            found = await self._own(session, identity, command.complaint_number)
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
        if complaint_id is not None:
            await case_requests.answer(
                session=session, complaint_id=complaint_id, kind="evidence", now=now
            )
        return Done(count=count)

    async def _case_message(
        self, session: AsyncSession, identity: Identity, command: SendCaseMessage, now: datetime
    ) -> CommandResult:
        # Only the consumer's own complaints (their link group's): anyone else's number
        # is "not found", exactly like a number that does not exist. Not locked: staff
        # lock the complaint before the conversation, this turn holds the conversation.
        found = await self._own(session, identity, command.number)
        if found is None:
            return Refused("not_found")
        if is_final(found.status):
            return Refused("case_closed")
        await case_messages.add_consumer_message(
            session=session,
            complaint=found,
            identity=identity,
            text=command.text,
            cipher=self.cipher,
            now=now,
        )
        # The text is personal data: the log says only that a message arrived.
        log.info("consumer message recorded", extra={"number": found.number})
        return Done()
