"""Complaints as staff see them: the models the API returns and the console renders.

:mod:`bots.staff.views` builds them from the database rows; the staff API returns them
as they are (``response_model``), the console's templates and the CSV exports read
their attributes. Contacts are masked, times are local with their offset, due dates
are local days, amounts are decimal strings.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag

from adapters.fields import LocalDay, LocalTime, Yuan
from dialogs.vocabulary import ComplaintStatus, FetchStatus, Language, NoticeStatus, Platform

Flag = Literal["overdue", "near"]


class Clock(BaseModel):
    """One deadline of the case (acceptance, resolution, mediation, decision, answer)."""

    clock: str = Field(description="acceptance, resolution, mediation, decision or answer")
    due: LocalDay
    running: bool = Field(description="whether the case is in a status this clock counts")
    workdays_left: int | None = Field(description="working days until due, while running")
    overdue_by: int | None = Field(description="working days past due, while running")
    extensions: int
    can_extend: bool
    provisional: bool = Field(description="counted past the published holiday calendar")


class ComplaintSummary(BaseModel):
    """One row of a list, with every clock of the case; contacts masked."""

    number: str
    type: str = Field(description="complaint, report, consultation or suggestion")
    category: str
    subcategory: str | None
    platform: Platform = Field(description="the channel it was filed on")
    status: ComplaintStatus
    merchant_name: str | None
    filed_at: LocalTime
    updated_at: LocalTime
    accept_due: LocalDay | None
    resolve_due: LocalDay | None
    mediation_due: LocalDay | None
    decision_due: LocalDay | None
    answer_due: LocalDay | None
    clocks: list[Clock]
    assignee: str | None = Field(description="the assigned staff member's username")
    contact_name: str = Field(description="masked (张*)")
    contact_phone: str = Field(description="masked (+86 138****5678)")
    rating: int | None
    legal_hold: bool = Field(description="kept whole past the retention period")
    legal_hold_note: str | None
    erase_on_close: bool = Field(description="the consumer asked for erasure: anonymised on close")
    anonymised_at: LocalTime | None
    deadline_flags: dict[str, Flag] = Field(description="the running clocks at risk, by name")


class ComplaintListItem(ComplaintSummary):
    """A list row with the count of consumer messages the assignee has not read."""

    unread_messages: int


class ComplaintPage(BaseModel):
    """One page of the complaints matching the filters, with the total."""

    total: int
    page: int
    per_page: int
    items: list[ComplaintListItem]


class ComplaintExportRow(ComplaintSummary):
    """A list row with the amount, demands and description (the console's export)."""

    amount: Yuan | None
    demands: list[str]
    description: str


class EvidenceItem(BaseModel):
    """A file the consumer sent; ``download`` is set once it is stored."""

    id: int
    kind: str = Field(description="photo, file, voice, video…")
    mime: str | None
    file_name: str | None
    size: int | None
    sha256: str | None
    caption: str | None
    fetch_status: FetchStatus = Field(description="pending, stored, or why it was not")
    last_error: str | None
    received_at: LocalTime
    download: str | None = Field(description="the API path of the file")


class NoticeItem(BaseModel):
    """A message queued for the consumer (status change, staff message, request…)."""

    id: int
    kind: str
    platform: Platform
    status: NoticeStatus
    attempts: int
    last_error: str | None
    delivered_via: str | None
    created_at: LocalTime
    sent_at: LocalTime | None
    text: str


class EventEntry(BaseModel):
    """A recorded step: a status move, a note, an assignment, a message to the consumer…"""

    at: LocalTime
    kind: str = Field(description="status, note, message, assignment, evidence, deadline, …")
    from_status: ComplaintStatus | None
    to_status: ComplaintStatus | None
    actor: str = Field(description="staff:USERNAME, consumer, merchant:NAME or system")
    note: str | None
    reason: str | None = Field(description="a rejection's reason (status moves)")
    offer_kind: str | None = Field(None, description="the kind of offer (offer entries)")
    fulfil_by: LocalDay | None = Field(
        None, description="the day an agreed settlement is due to be carried out (settlements)"
    )
    internal: bool = Field(description="staff only; the consumer never sees it")


class NoticeEntry(BaseModel):
    """A notice to the consumer, where it stands."""

    at: LocalTime
    kind: Literal["notice"]
    notice: NoticeItem


class MessageEntry(BaseModel):
    """A message the consumer wrote on the case (``kind``: ``consumer_message``)."""

    id: int
    at: LocalTime
    kind: str
    actor: str
    text: str
    unread: bool = Field(description="new to the reader when the case was opened")
    internal: bool


def _entry_tag(entry: Any) -> str:
    if isinstance(entry, dict):
        if entry.get("kind") == "notice":
            return "notice"
        return "message" if "text" in entry else "event"
    if isinstance(entry, NoticeEntry):
        return "notice"
    return "message" if isinstance(entry, MessageEntry) else "event"


TimelineEntry = Annotated[
    Annotated[EventEntry, Tag("event")]
    | Annotated[NoticeEntry, Tag("notice")]
    | Annotated[MessageEntry, Tag("message")],
    Discriminator(_entry_tag),
]


class ConversationEntry(BaseModel):
    """A message of the case's conversation, whoever wrote it."""

    at: LocalTime
    author_kind: str = Field(description="staff, consumer or merchant")
    author: str
    text: str | None
    unread: bool


class RequestItem(BaseModel):
    """An evidence or rating request to the consumer."""

    id: int
    kind: str = Field(description="evidence or rating")
    note: str | None
    status: str = Field(description="open, answered or withdrawn")
    requested_by: str
    created_at: LocalTime
    closed_at: LocalTime | None
    closed_by: str | None


class ComplaintDetail(ComplaintSummary):
    """Every field, the timeline, the evidence, the conversation and the requests."""

    merchant_address: str | None
    order_number: str | None
    incident_date: LocalDay | None
    amount: Yuan | None
    description: str
    demands: list[str]
    consent_share: bool = Field(description="the consumer agreed to share contact details")
    language: Language
    accepted_at: LocalTime | None
    resolved_at: LocalTime | None
    closed_at: LocalTime | None
    rating_comment: str | None
    rated_at: LocalTime | None
    timeline: list[TimelineEntry] = Field(description="oldest first")
    evidence: list[EvidenceItem]
    conversation: list[ConversationEntry] = Field(description="oldest first")
    requests: list[RequestItem]
    unread_messages: int


class ClockRate(BaseModel):
    """How often one clock was met: cases decided on time and late."""

    on_time: int
    late: int
    on_time_rate: float | None = Field(description="on_time / (on_time + late)")


class Ratings(BaseModel):
    count: int
    average: float | None
    distribution: dict[str, int] = Field(description="complaints per rating, 1 to 5")


class Statistics(BaseModel):
    """Counts, on-time rates per clock and ratings for a filing date range."""

    total: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_platform: dict[str, int]
    by_type: dict[str, int]
    by_day: dict[str, int] = Field(description="complaints filed per local day")
    clocks: dict[str, ClockRate]
    acceptance: ClockRate
    resolution: ClockRate
    median_hours_to_acceptance: float | None
    ratings: Ratings
    filed_from: LocalDay | None
    filed_to: LocalDay | None
