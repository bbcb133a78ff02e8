"""Commands: what a dialog step asks the engine to do against storage.

The dialog is pure, so filing, recording evidence, listing complaints, linking channels
and the data rights are asked for as one of these (:data:`Command`); the engine carries
them out in the turn's transaction and hands back a result (dialogs/command_results.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.draft import Draft
from dialogs.events import MediaMessage
from dialogs.vocabulary import DEFAULT_LANGUAGE


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

