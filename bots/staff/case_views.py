"""A case's conversation and pending requests as staff see them (API and console).

Opening a case reads its consumer messages for the assignee (or for anyone while it
is unassigned): :func:`load` takes the messages as they were — ``unread`` says which
are new to the reader — and then marks them read, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bots.staff.schemas import (
    ConversationEntry,
    EventEntry,
    MessageEntry,
    RequestItem,
    TimelineEntry,
)
from dialogs import clock
from storage import case_messages, case_requests
from storage.crypto import FieldCipher
from storage.models import CaseRequest, Complaint, Staff


@dataclass(frozen=True)
class CaseView:
    """What a case adds to the staff detail of its complaint."""

    messages: list[case_messages.ShownMessage]
    requests: list[CaseRequest]


async def load(
    *,
    session: AsyncSession,
    complaint: Complaint,
    staff: Staff,
    cipher: FieldCipher,
    now: datetime,
) -> CaseView:
    """The case's messages (decrypted) and requests; marks the messages read for staff."""
    shown = await case_messages.messages(session=session, complaint=complaint, cipher=cipher)
    requests = await case_requests.for_complaint(session=session, complaint_id=complaint.id)
    await case_messages.mark_read(session=session, complaint=complaint, staff=staff, now=now)
    return CaseView(shown, requests)


def message_entry(message: case_messages.ShownMessage) -> MessageEntry:
    """A case message as a timeline entry (``kind``: ``consumer_message``, …)."""
    return MessageEntry(
        id=message.id,
        at=clock.iso(message.at),
        kind=f"{message.author_kind}_message",
        actor=message.author,
        text=message.text,
        unread=message.unread,
        internal=False,
    )


def request_item(request: CaseRequest) -> RequestItem:
    return RequestItem(
        id=request.id,
        kind=request.kind,
        note=request.note,
        status=request.status,
        requested_by=request.requested_by,
        created_at=clock.iso(request.created_at),
        closed_at=clock.iso(request.closed_at),
        closed_by=request.closed_by,
    )


def conversation(timeline: list[TimelineEntry]) -> list[ConversationEntry]:
    """Staff messages and case messages of the timeline, in order, each labelled."""
    talk = []
    for entry in timeline:
        text: str | None
        if isinstance(entry, MessageEntry):
            # Consumer messages are case rows (``text``), new to the reader or not.
            author_kind, text = entry.kind.removesuffix("_message"), entry.text
            unread = entry.unread
        elif isinstance(entry, EventEntry) and entry.kind == "message":
            author_kind, text, unread = "staff", entry.note or "", False
        elif isinstance(entry, EventEntry) and entry.kind.endswith("_message"):
            # A merchant's are timeline events (``note``), read by nobody in particular.
            author_kind, text, unread = entry.kind.removesuffix("_message"), entry.note, False
        else:
            continue
        talk.append(ConversationEntry(at=entry.at, author_kind=author_kind, author=entry.actor,
                                      text=text, unread=unread))  # fmt: skip
    return talk
