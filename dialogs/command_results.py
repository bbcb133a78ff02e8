"""Command results: what the engine answers for a command the dialog asked for.

The engine carries out a command (dialogs/commands.py) and hands one of these
(:data:`CommandResult`) back to the dialog, which turns it into replies
(dialogs/results.py): the filed complaint, a list, a refusal, a link code, a dossier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


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

