"""What the staff API's actions answer (the complaint views: :mod:`bots.staff.schemas`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from adapters.fields import LocalDay
from bots.staff.schemas import NoticeItem
from dialogs.vocabulary import ComplaintStatus


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds")
    role: str = Field(description="agent, supervisor, admin or merchant")


class StatusChanged(BaseModel):
    number: str
    status: ComplaintStatus
    notices: list[int] = Field(description="the notices queued for the consumer")


class NoteAdded(BaseModel):
    number: str
    note: str


class NoticeQueued(BaseModel):
    """A message queued for the consumer; the worker sends it."""

    number: str
    notice: int


class Assigned(BaseModel):
    number: str
    assignee: str | None


class ContactShown(BaseModel):
    """The consumer's contact details in full (audited)."""

    number: str
    contact_name: str | None
    contact_phone: str | None


class RequestWithdrawn(BaseModel):
    number: str
    request: int
    kind: str
    status: Literal["withdrawn"]
    notice: int


class DeadlineExtended(BaseModel):
    number: str
    clock: str
    previous_due: LocalDay
    due: LocalDay
    provisional: bool
    notice: int


class BulkSent(BaseModel):
    consumers: int = Field(description="consumers sent one notice each")


class DeadLetters(BaseModel):
    items: list[NoticeItem]


class RetryQueued(BaseModel):
    notice: int
    status: Literal["pending"]


class LegalHoldSet(BaseModel):
    number: str
    legal_hold: bool
    note: str | None


class StaffAccount(BaseModel):
    username: str
    role: str
    active: bool
    display_name: str | None


class StaffList(BaseModel):
    items: list[StaffAccount]


class StaffCreated(BaseModel):
    username: str
    role: str
