"""Merchants as the merchant API, the staff API and the pages read them.

:mod:`bots.merchants.views` builds these models; the routes return them and the
merchant pages and the console's alerts render their attributes. A merchant reads the
desk's acts as ``desk`` and never a staff member's name.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from adapters.fields import LocalDay, LocalTime, Yuan
from dialogs.vocabulary import ComplaintStatus


class MerchantItem(BaseModel):
    """A registry entry."""

    id: int
    name: str
    aliases: list[str]
    credit_code: str | None = Field(description="统一社会信用代码")
    address: str | None
    contact: str | None
    odr: bool = Field(description="takes part in online dispute resolution")
    created_at: LocalTime


class MerchantRef(BaseModel):
    id: int
    name: str


class MerchantCaseSummary(BaseModel):
    """A complaint forwarded to a merchant and the merchant's answer clock."""

    number: str
    type: str
    category: str
    status: ComplaintStatus
    filed_at: LocalTime
    forwarded_at: LocalTime | None
    answer_due: LocalDay | None
    answered_at: LocalTime | None
    answer_overdue: bool
    taken_back: bool = Field(description="the desk took the case back from the merchant")


class MerchantTimelineItem(BaseModel):
    """A timeline entry meant for the merchant (status moves, messages, offers)."""

    at: LocalTime
    kind: str
    from_status: ComplaintStatus | None
    to_status: ComplaintStatus | None
    actor: str = Field(description="desk, consumer or merchant:NAME")
    note: str | None
    offer_kind: str | None = Field(None, description="the kind of offer (offer entries)")


class OfferItem(BaseModel):
    """A settlement the merchant offered, and the consumer's answer."""

    id: int
    kind: str = Field(description="refund, return, exchange, repair, compensation, apology, other")
    amount: Yuan | None
    text: str
    status: str = Field(description="pending, accepted, declined, expired or withdrawn")
    expires_on: LocalDay
    created_at: LocalTime
    decline_reason: str | None


class SharedContact(BaseModel):
    """The consumer's contact details, shared with their consent."""

    name: str | None
    phone: str | None


class MerchantEvidence(BaseModel):
    id: int
    kind: str
    mime: str | None
    file_name: str | None
    sha256: str | None
    download: str | None = Field(description="the merchant API path of the file, once stored")


class Settlement(BaseModel):
    """The offer the consumer accepted."""

    kind: str
    amount: Yuan | None
    text: str
    fulfil_by: LocalDay
    agreed_at: LocalTime


class MerchantCaseDetail(MerchantCaseSummary):
    """Facts, demands, evidence, the entries meant for the merchant; contact with consent."""

    subcategory: str | None
    merchant_name: str | None
    merchant_address: str | None
    order_number: str | None
    incident_date: LocalDay | None
    amount: Yuan | None
    description: str
    demands: list[str]
    forward_note: str | None
    contact_shared: bool
    contact: SharedContact | None
    evidence: list[MerchantEvidence]
    timeline: list[MerchantTimelineItem]
    offers: list[OfferItem]
    settlement: Settlement | None


class OverdueCase(MerchantCaseSummary):
    """A forwarded complaint the merchant has not answered in time."""

    merchant: MerchantItem


class SpikeAlert(BaseModel):
    """A merchant with many more complaints this week than before."""

    merchant: MerchantItem
    last_7_days: int
    weekly_average_before: float
    complaints: list[str] = Field(description="the numbers of the last 7 days' complaints")


class Alerts(BaseModel):
    spikes: list[SpikeAlert]
    merchant_overdue: list[OverdueCase]


class SpikeCase(BaseModel):
    """One complaint of a spike and where it stands with the merchant (console)."""

    number: str
    status: str
    filed_at: LocalTime
    reason: str | None = Field(description="why it does not go to the merchant; none: it goes")
    forwarded_on: LocalDay | None
    answer_due: LocalDay | None
    answered: bool


class SpikeSection(BaseModel):
    """A spike on the console's alerts page: the merchant, its counts, its complaints."""

    merchant: MerchantItem
    last_week: int
    average: float = Field(description="complaints a week before, to one decimal")
    rows: list[SpikeCase]
