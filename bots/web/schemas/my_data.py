"""The consumer's data export (``GET /chat/my-data.json``) as a schema.

:func:`storage.my_data.export` writes the document; this model documents it for
``/docs`` and for the API's schema checks. Times are ISO 8601 with their offset, as
stored (UTC); the draft's answers are the conversation's own JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from adapters.fields import LocalDay, Yuan

Moment = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
#: Any JSON value: the answers a draft holds so far, as the conversation stored them.
JsonValue = Annotated[
    Any,
    WithJsonSchema(
        {
            "type": ["object", "array", "string", "number", "integer", "boolean", "null"],
            "description": "any JSON value",
        }
    ),
]


class Record(BaseModel):
    """A part of the export: exactly these keys (a key the export adds must be documented)."""

    model_config = ConfigDict(extra="forbid")


class IdentityRecord(Record):
    platform: str
    platform_user_id: str
    language: str
    first_contact: Moment
    linked_at: Moment | None
    unsubscribed_at: Moment | None


class ConsentRecipient(Record):
    merchant_name: str | None
    merchant_id: int | None


class ConsentRecord(Record):
    complaint: str | None
    recipient: ConsentRecipient
    given_at: Moment
    withdrawn_at: Moment | None


class EvidenceRecord(Record):
    kind: str
    file_name: str | None
    mime: str | None
    size: int | None
    sha256: str | None
    received_at: Moment
    status: str
    caption: str | None


class TimelineRecord(Record):
    at: Moment
    kind: str
    # ``from`` is a keyword in Python: the field is named by its alias.
    from_: str | None = Field(alias="from")
    to: str | None
    message: str | None


class ComplaintRecord(Record):
    number: str
    type: str
    category: str
    subcategory: str | None
    status: str
    channel: str
    merchant_name: str | None
    merchant_address: str | None
    order_number: str | None
    incident_date: LocalDay | None
    amount: Yuan | None
    description: str
    demands: list[str] | None
    contact_name: str | None
    contact_phone: str | None
    share_contact_with_merchant: bool
    filed_at: Moment
    closed_at: Moment | None
    rating: int | None
    rating_comment: str | None
    erase_on_close: bool
    anonymised_at: Moment | None
    timeline: list[TimelineRecord]
    evidence: list[EvidenceRecord]


class DraftRecord(Record):
    state: str
    answers: JsonValue
    updated_at: Moment


class CaseMessageRecord(Record):
    complaint: str | None
    at: Moment
    text: str | None


class ReplyRecord(Record):
    channel: str
    at: Moment
    texts: list[str | None]


class MessageRecords(Record):
    drafts: list[DraftRecord]
    draft_evidence: list[EvidenceRecord]
    your_messages_on_cases: list[CaseMessageRecord]
    replies_sent_to_you: list[ReplyRecord]


class MyData(Record):
    """Everything held about the consumer and their linked channels."""

    format: str
    exported_at: Moment
    identities: list[IdentityRecord]
    consents: list[ConsentRecord]
    complaints: list[ComplaintRecord]
    messages: MessageRecords
