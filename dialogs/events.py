"""The neutral vocabulary between adapters, the engine and the dialogs.

Adapters turn platform messages into *inbound events*; the dialogs turn
(state, answers, event) into *replies* and *commands*; the engine carries out the
commands against storage. Everything here is a frozen dataclass with no reference to a
platform library, a session or a global.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from dialogs.draft import Draft
from dialogs.vocabulary import DEFAULT_LANGUAGE
from dialogs.vocabulary import Platform as Platform  # re-exported: events name it


class MediaKind(StrEnum):
    """Kinds of evidence a consumer can send."""

    PHOTO = "photo"
    DOCUMENT = "document"
    AUDIO = "audio"
    VIDEO = "video"


# --------------------------------------------------------------------------- inbound


@dataclass(frozen=True, kw_only=True)
class Inbound:
    """Common part of every inbound event.

    Attributes:
        platform: the channel the consumer used.
        user_id: the consumer's id on that platform (OpenID, chat id, web user name).
        message_id: the platform's delivery key; a repeat is answered from the dedupe table.
        received_at: when the platform says the message was sent (timezone-aware UTC).
        language_hint: a platform's guess of the consumer's language (``zh-CN`` / ``en``).
    """

    platform: Platform
    user_id: str
    message_id: str
    received_at: datetime
    language_hint: str | None = None


@dataclass(frozen=True, kw_only=True)
class TextMessage(Inbound):
    """Typed text, a command such as ``/start``, or text recognised from voice."""

    text: str
    from_voice: bool = False


@dataclass(frozen=True, kw_only=True)
class ChoicePressed(Inbound):
    """A button pressed on a keyboard sent for ``step`` (Telegram callback, web button)."""

    choice_id: str
    step: str | None = None


@dataclass(frozen=True, kw_only=True)
class MediaMessage(Inbound):
    """A file sent as evidence.

    Either ``platform_ref`` is set (WeChat MediaId, Telegram file_id: the worker fetches
    it later) or ``blob_key``/``sha256`` are set (the adapter already stored the bytes,
    as the web upload does).
    """

    kind: MediaKind
    platform_ref: str | None = None
    file_name: str | None = None
    mime: str | None = None
    size: int | None = None
    blob_key: str | None = None
    sha256: str | None = None
    caption: str | None = None
    recognised_text: str | None = None


@dataclass(frozen=True, kw_only=True)
class LocationMessage(Inbound):
    """A shared location; its label is a usable merchant address."""

    latitude: float
    longitude: float
    label: str | None = None


@dataclass(frozen=True, kw_only=True)
class ContactShared(Inbound):
    """A phone number shared by the platform (only the sender's own is accepted)."""

    phone: str
    name: str | None = None
    is_own: bool = True


@dataclass(frozen=True, kw_only=True)
class Subscribed(Inbound):
    """The consumer followed the account (WeChat) or started the bot.

    ``again`` is set for a consumer who already follows and scanned a code (WeChat
    SCAN): they are not new, and a draft in progress goes on.
    """

    scene: str | None = None
    again: bool = False


@dataclass(frozen=True, kw_only=True)
class Unsubscribed(Inbound):
    """The consumer unfollowed the account or blocked the bot."""


@dataclass(frozen=True, kw_only=True)
class MenuClicked(Inbound):
    """A platform menu item: ``complain``, ``my_complaints`` or ``help``."""

    key: str


@dataclass(frozen=True, kw_only=True)
class NoticeConsent(Inbound):
    """The consumer accepted or refused subscription notices (per template id).

    ``consents`` pairs a template id with ``accept`` or ``reject``; nothing is answered.
    """

    consents: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class Unsupported(Inbound):
    """Anything we cannot use (stickers, unknown types): answered politely."""

    description: str = ""


InboundEvent = (
    TextMessage
    | ChoicePressed
    | MediaMessage
    | LocationMessage
    | ContactShared
    | Subscribed
    | Unsubscribed
    | MenuClicked
    | NoticeConsent
    | Unsupported
)


# --------------------------------------------------------------------------- outbound


@dataclass(frozen=True)
class Choice:
    """One option of a question; ``id`` is what a button sends back."""

    id: str
    label: str


@dataclass(frozen=True)
class Reply:
    """A message to the consumer: text plus optional choices.

    Attributes:
        text: the message, in one language.
        choices: options; WeChat renders them as a numbered list, Telegram and web as
            buttons. The consumer may answer with the id, the number or the label.
        step: the dialog state the choices belong to, so a stale button can be told apart.
        request_contact: offer a "share my number" button where the platform has one.
        multi: the choices may be combined ("1 3"), e.g. demands.
        attachment: a file the channel adds to this message (``my_data``: the consumer's
            data export; Telegram sends it as a document, the web page offers a download).
        link: a URL the consumer can open (the web chat shows it as a link).
        document: a server-made reference to a file a channel attaches where it can
            (Telegram sends it as a document), e.g. ``dossier:en:WQ…``.
        progress: ``(n, of)`` when the question is step n of a guided flow of ``of`` steps.
        language: the conversation's language when the reply asks a question, so a page
            can follow a language switch made in the chat.
        sender: who wrote a notice the consumer reads: ``staff`` or ``merchant``.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    step: str | None = None
    request_contact: bool = False
    multi: bool = False
    attachment: str | None = None
    link: str | None = None
    document: str | None = None
    progress: tuple[int, int] | None = None
    language: str | None = None
    sender: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "choices": [{"id": c.id, "label": c.label} for c in self.choices],
            "step": self.step,
            "request_contact": self.request_contact,
            "multi": self.multi,
        }
        if self.attachment:
            data["attachment"] = self.attachment
        # Only when set: stored replies of every other message keep their old shape.
        if self.link:
            data["link"] = self.link
        if self.document:
            data["document"] = self.document
        # Written only when set: rows stored before these fields read the same.
        if self.progress is not None:
            data["progress"] = list(self.progress)
        if self.language is not None:
            data["language"] = self.language
        if self.sender is not None:
            data["sender"] = self.sender
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data["text"],
            choices=tuple(Choice(c["id"], c["label"]) for c in data.get("choices", ())),
            step=data.get("step"),
            request_contact=bool(data.get("request_contact", False)),
            multi=bool(data.get("multi", False)),
            attachment=data.get("attachment") or None,
            link=data.get("link") or None,
            document=data.get("document") or None,
            progress=_progress(data.get("progress")),
            language=_text_or_none(data.get("language")),
            sender=_text_or_none(data.get("sender")),
        )


def _progress(raw: Any) -> tuple[int, int] | None:
    if isinstance(raw, list | tuple) and len(raw) == 2 and all(type(n) is int for n in raw):
        return (raw[0], raw[1])
    return None


def _text_or_none(raw: Any) -> str | None:
    return raw if isinstance(raw, str) else None


# --------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class FileComplaint:
    """File the draft: the validated answers, typed (dialogs/draft.py)."""

    draft: Draft


@dataclass(frozen=True)
class RecordEvidence:
    """Store a media message as evidence; attached to ``complaint_number`` or the draft."""

    media: MediaMessage
    complaint_number: str | None = None


@dataclass(frozen=True)
class DiscardDraftEvidence:
    """Forget evidence recorded for a draft that was cancelled or restarted."""


@dataclass(frozen=True)
class ListComplaints:
    """Show the consumer's own complaints."""


@dataclass(frozen=True)
class ShowComplaint:
    """Show one of the consumer's complaints with its timeline."""

    number: str


@dataclass(frozen=True)
class WithdrawComplaint:
    """Withdraw one of the consumer's complaints (refused once closed)."""

    number: str


@dataclass(frozen=True)
class RateComplaint:
    """Rate the handling of a resolved or closed complaint."""

    number: str
    score: int
    comment: str | None = None


@dataclass(frozen=True)
class SendCaseMessage:
    """Record the consumer's message to the handler of their complaint ``number``."""

    number: str
    text: str


@dataclass(frozen=True)
class MarkUnsubscribed:
    """The consumer left the channel: stop pushing to them."""


@dataclass(frozen=True)
class IssueLinkCode:
    """Make a one-time code that links another channel to this consumer."""


@dataclass(frozen=True)
class CheckLinkCode:
    """Look a link code up before asking the consumer to confirm (counts wrong codes)."""

    code: str


@dataclass(frozen=True)
class RedeemLinkCode:
    """Link this consumer with the issuer of the code checked before (spends the code)."""

    code_id: int


@dataclass(frozen=True)
class NoteInteraction:
    """The consumer followed, clicked a menu item or scanned a code without writing.

    WeChat opens a short customer-service window for these (1 minute, 3 messages),
    not the 48 hours a typed message opens.
    """


@dataclass(frozen=True)
class RecordNoticeConsent:
    """Keep the consumer's subscription-notice consents on their identity."""

    consents: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ExportMyData:
    """Gather everything held about the consumer (all linked channels) for them."""


@dataclass(frozen=True)
class EraseMyData:
    """Erase the consumer's data now where possible; flag open cases for erasure."""


@dataclass(frozen=True)
class ListConsentCases:
    """The consumer's open cases whose contact details are shared with the merchant."""


@dataclass(frozen=True)
class WithdrawConsent:
    """Stop sharing the contact details of case ``number`` with its merchant."""

    number: str


DATA_COMMANDS = (ExportMyData, EraseMyData, ListConsentCases, WithdrawConsent)

@dataclass(frozen=True)
class AnswerOffer:
    """The consumer accepts or declines a merchant's offer (``reason``: why not)."""

    offer_id: int
    accept: bool
    reason: str | None = None


@dataclass(frozen=True)
class AnswerConsent:
    """The consumer agrees (or not) that ``merchant_id`` may have their contact details."""

    number: str
    merchant_id: int
    given: bool


@dataclass(frozen=True)
class SendDossier:
    """Give the consumer the evidence dossier of complaint ``number`` (None: the newest),
    in ``language`` (the chat's)."""

    number: str | None = None
    language: str = DEFAULT_LANGUAGE


Command = (
    ExportMyData
    | EraseMyData
    | ListConsentCases
    | WithdrawConsent
    | FileComplaint
    | RecordEvidence
    | DiscardDraftEvidence
    | ListComplaints
    | ShowComplaint
    | WithdrawComplaint
    | RateComplaint
    | SendCaseMessage
    | MarkUnsubscribed
    | IssueLinkCode
    | CheckLinkCode
    | RedeemLinkCode
    | SendDossier
    | NoteInteraction
    | RecordNoticeConsent
    | AnswerOffer
    | AnswerConsent
)


@dataclass(frozen=True)
class Conversation:
    """What the dialogs need of a stored conversation."""

    state: str = "start"
    answers: dict[str, Any] = field(default_factory=dict)
    language: str = DEFAULT_LANGUAGE
    language_chosen: bool = False
    updated_at: datetime | None = None


@dataclass(frozen=True)
class StepResult:
    """What one dialog step produced."""

    conversation: Conversation
    replies: tuple[Reply, ...] = ()
    commands: tuple[Command, ...] = ()


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ComplaintSummary:
    """One complaint as the consumer sees it in "my complaints"."""

    number: str
    type: str
    category: str
    status: str
    filed_at: datetime
    updated_at: datetime
    accept_due: date | None = None
    resolve_due: date | None = None
    # A report's decision on opening a case; a consultation's or suggestion's answer.
    decision_due: date | None = None
    answer_due: date | None = None
    rating: int | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """One step of a complaint's progress shown to the consumer."""

    at: datetime
    status: str
    note: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class OpenRequest:
    """Something the desk is waiting for on a case: ``evidence`` or a ``rating``."""

    kind: str
    number: str
    note: str | None = None


@dataclass(frozen=True)
class ComplaintDetail:
    """A complaint with its timeline and what the consumer may do next."""

    summary: ComplaintSummary
    timeline: tuple[TimelineEntry, ...] = ()
    evidence_count: int = 0
    can_add_evidence: bool = True
    can_withdraw: bool = True
    can_rate: bool = False
    can_reply: bool = False
    requests: tuple[OpenRequest, ...] = ()


@dataclass(frozen=True)
class Filed:
    """The draft became a complaint."""

    summary: ComplaintSummary


@dataclass(frozen=True)
class ComplaintList:
    """The consumer's complaints, newest first."""

    items: tuple[ComplaintSummary, ...]
    requests: tuple[OpenRequest, ...] = ()


@dataclass(frozen=True)
class Done:
    """A command succeeded and has nothing to show (``count``: e.g. evidence so far)."""

    count: int = 0


@dataclass(frozen=True)
class Refused:
    """A command was refused; ``reason`` is a catalog key suffix.

    Reasons: ``not_found``, ``cannot_withdraw``, ``cannot_rate``, ``evidence_limit``,
    ``too_large``, ``bad_type``, ``case_closed``.
    """

    reason: str


@dataclass(frozen=True)
class LinkCodeIssued:
    """A link code for the consumer to enter on the other channel before ``expires_at``."""

    code: str
    expires_at: datetime


@dataclass(frozen=True)
class LinkCodeValid:
    """The code is live and was issued by another consumer identity on ``platform``."""

    code_id: int
    platform: str


@dataclass(frozen=True)
class Linked:
    """The identities are linked; ``members``: identities in the link group now."""

    members: int


@dataclass(frozen=True)
class LinkRefused:
    """A link code was refused.

    Reasons: ``wrong`` (``tries_left`` before the lock), ``locked`` (until ``until``),
    ``expired`` (expired or already used), ``own_code``, ``already_linked``.
    """

    reason: str
    until: datetime | None = None
    tries_left: int | None = None


@dataclass(frozen=True)
class DataExport:
    """The consumer's data is ready.

    ``delivery`` says how it reaches them: ``document`` (the channel sends the file),
    ``download`` (the web page offers it), ``link`` (a signed page at ``link``, valid
    until ``link_expires``) or ``text`` (the summary only, e.g. the terminal).
    """

    delivery: str
    channels: tuple[str, ...] = ()
    complaints: tuple[tuple[str, str], ...] = ()
    evidence: int = 0
    consents_given: int = 0
    consents_withdrawn: int = 0
    link: str | None = None
    link_expires: datetime | None = None


@dataclass(frozen=True)
class DataErased:
    """What an erasure removed now, and the open cases erased when they close."""

    closed_cases: int = 0
    files: int = 0
    open_cases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsentCases:
    """Open cases whose contact details are shared (numbers, oldest first)."""

    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfferAnswered:
    """An offer was accepted (complaint resolved; to be carried out by ``fulfil_by``)
    or declined (back to the desk's mediation)."""

    number: str
    accepted: bool
    fulfil_by: date | None = None


@dataclass(frozen=True)
class DossierReady:
    """The consumer's dossier of ``number`` can be fetched.

    Attributes:
        number: the complaint.
        link: where to download it (web: the cookie-checked path; WeChat and others: a
            signed link valid for 24 hours), or None when it goes as a ``document``.
        document: the reference a channel attaches as a file (Telegram).
        newest: no number was asked for, so the newest complaint was taken.
        expires: the link stops working after a while (signed links).
    """

    number: str
    link: str | None = None
    document: str | None = None
    newest: bool = False
    expires: bool = False


CommandResult = (
    Filed | ComplaintList | ComplaintDetail | Done | Refused
    | LinkCodeIssued | LinkCodeValid | Linked | LinkRefused | DossierReady
    | DataExport | DataErased | ConsentCases | OfferAnswered
)
