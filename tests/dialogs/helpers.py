"""A tiny in-memory stand-in for storage, driven by the engine's own command loop.

It is a fake at the edge (storage), not a mock of the dialog: the dialog code and the
command loop under test are the real ones (:mod:`dialogs.command_loop`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dialogs.command_loop import CommandLoop
from dialogs.command_results import (
    CommandResult,
    ComplaintDetail,
    ComplaintList,
    ComplaintSummary,
    ConsentCases,
    DataErased,
    DataExport,
    Done,
    Filed,
    LinkCodeIssued,
    LinkCodeValid,
    Linked,
    LinkRefused,
    OfferAnswered,
    Refused,
    TimelineEntry,
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
    ShowComplaint,
    WithdrawComplaint,
    WithdrawConsent,
)
from dialogs.conversation import Conversation, StepResult
from dialogs.events import ChoicePressed, InboundEvent, MediaKind, MediaMessage, TextMessage
from dialogs.intake import DialogOptions, step
from dialogs.replies import Reply
from dialogs.vocabulary import Platform

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
_MESSAGE_IDS = itertools.count(1)


def base() -> dict[str, Any]:
    """The fields every event shares, with a message id of its own."""
    return {
        "platform": Platform.WEB,
        "user_id": "u1",
        "message_id": f"m{next(_MESSAGE_IDS)}",
        "received_at": NOW,
    }


def text(value: str, **extra: Any) -> TextMessage:
    return TextMessage(**base(), text=value, **extra)


def press(choice_id: str, step_name: str | None = None) -> ChoicePressed:
    return ChoicePressed(**base(), choice_id=choice_id, step=step_name)


def photo(ref: str = "p1") -> MediaMessage:
    return MediaMessage(**base(), kind=MediaKind.PHOTO, platform_ref=ref)


def summary(number: str, status: str = "submitted", **extra: Any) -> ComplaintSummary:
    values: dict[str, Any] = {
        "number": number, "type": "complaint", "category": "appliances", "status": status,
        "filed_at": NOW, "updated_at": NOW, "accept_due": date(2026, 12, 1),
        "resolve_due": date(2027, 2, 26),
    }
    values.update(extra)
    return ComplaintSummary(**values)


@dataclass
class Bot:
    """Drives the dialog through the engine's command loop, against in-memory complaints."""

    options: DialogOptions = field(default_factory=DialogOptions)
    now: datetime = NOW
    conv: Conversation = field(default_factory=Conversation)
    commands: list[Command] = field(default_factory=list)
    filed: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str | None, int] = field(default_factory=dict)
    details: dict[str, ComplaintDetail] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    refuse_evidence: str | None = None
    # Link codes another channel issued (code -> that channel), and refusals to play.
    link_codes: dict[str, str] = field(default_factory=lambda: {"654321": "telegram"})
    refuse_link: LinkRefused | None = None
    refuse_redeem: LinkRefused | None = None
    # Messages the consumer wrote on a case: (number, text).
    case_messages: list[tuple[str, str]] = field(default_factory=list)
    # Open cases that share contact details with their merchant (withdraw consent).
    consent_cases: list[str] = field(
        default_factory=lambda: ["20261120000001", "20261121000002"]
    )
    # Merchants: a refusal of the offer answer to play, and standing consents.
    refuse_offer: str | None = None
    consents: int = 0

    def send(self, event: InboundEvent | str) -> list[Reply]:
        if isinstance(event, str):
            event = text(event)
        return self.run(step(self.conv, event, now=self.now, options=self.options))

    def run(self, result: StepResult) -> list[Reply]:
        loop = CommandLoop(result, now=self.now, options=self.options)
        for command in loop:
            self.commands.append(command)
            loop.settle(self.execute(command))
        assert not loop.runaway, loop.runaway
        self.conv = loop.conversation
        self.replies = loop.replies
        return self.replies

    @property
    def state(self) -> str:
        return self.conv.state

    @property
    def last(self) -> Reply:
        return self.replies[-1]

    @property
    def all_text(self) -> str:
        return "\n".join(r.text + " " + " ".join(c.label for c in r.choices)
                         for r in self.replies)

    def execute(self, command: Command) -> CommandResult:
        if isinstance(command, FileComplaint):
            self.filed.append(command.draft)
            number = f"WQ20261122{len(self.filed):04d}"
            s = summary(number, type=command.draft.type,
                        category=str(command.draft.category))
            self.details[number] = ComplaintDetail(s)
            return Filed(s)
        if isinstance(command, RecordEvidence):
            if self.refuse_evidence:
                return Refused(self.refuse_evidence)
            key = command.complaint_number
            if key is not None and key not in self.details:
                return Refused("not_found")
            if self.evidence.get(key, 0) >= self.options.max_evidence_files:
                return Refused("evidence_limit")
            self.evidence[key] = self.evidence.get(key, 0) + 1
            return Done(self.evidence[key])
        if isinstance(command, DiscardDraftEvidence):
            self.evidence.pop(None, None)
            return Done()
        if isinstance(command, ListComplaints):
            return ComplaintList(tuple(d.summary for d in self.details.values()))
        if isinstance(command, ShowComplaint):
            detail = self.details.get(command.number)
            return detail if detail else Refused("not_found")
        if isinstance(command, WithdrawComplaint):
            detail = self.details.get(command.number)
            if detail is None:
                return Refused("not_found")
            if not detail.can_withdraw:
                return Refused("cannot_withdraw")
            self.details[command.number] = replace(
                detail, summary=replace(detail.summary, status="withdrawn"),
                can_withdraw=False,
            )
            return Done()
        if isinstance(command, RateComplaint):
            detail = self.details.get(command.number)
            if detail is None or not detail.can_rate:
                return Refused("cannot_rate")
            return Done()
        if isinstance(command, SendCaseMessage):
            detail = self.details.get(command.number)
            if detail is None:
                return Refused("not_found")
            if not detail.can_reply:
                return Refused("case_closed")
            self.case_messages.append((command.number, command.text))
            return Done()
        if isinstance(command, MarkUnsubscribed | NoteInteraction | RecordNoticeConsent):
            return Done()
        if isinstance(command, IssueLinkCode):
            return LinkCodeIssued("123456", self.now + timedelta(minutes=10))
        if isinstance(command, CheckLinkCode):
            if self.refuse_link is not None:
                return self.refuse_link
            if command.code in self.link_codes:
                return LinkCodeValid(7, self.link_codes[command.code])
            return LinkRefused("wrong", tries_left=4)
        if isinstance(command, RedeemLinkCode):
            return self.refuse_redeem or Linked(2)
        if isinstance(command, ExportMyData):
            return DataExport(
                delivery="download",
                channels=("web", "telegram"),
                complaints=tuple((d.summary.number, d.summary.status)
                                 for d in self.details.values()),
                evidence=sum(self.evidence.values()),
            )
        if isinstance(command, EraseMyData):
            return DataErased(closed_cases=1, files=2, open_cases=tuple(self.consent_cases))
        if isinstance(command, ListConsentCases):
            return ConsentCases(tuple(self.consent_cases))
        if isinstance(command, WithdrawConsent):
            if command.number not in self.consent_cases:
                return Refused("not_found")
            self.consent_cases.remove(command.number)
            return Done()
        if isinstance(command, AnswerOffer):
            if self.refuse_offer:
                return Refused(self.refuse_offer)
            return OfferAnswered("WQ1", command.accept, NOW.date() if command.accept else None)
        if isinstance(command, AnswerConsent):
            return Done()
        if isinstance(command, WithdrawConsent):
            return Done(count=self.consents)
        raise AssertionError(command)

    def add_detail(self, number: str, **flags: Any) -> None:
        timeline = (TimelineEntry(NOW, "submitted"), TimelineEntry(NOW, "accepted", "ok"))
        status = flags.pop("status", "accepted")
        self.details[number] = ComplaintDetail(summary(number, status), timeline, **flags)
