"""A case's conversation and pending requests as staff see them (API and console).

Opening a case reads its consumer messages for the assignee (or for anyone while it
is unassigned): :func:`load` takes the messages as they were — ``unread`` says which
are new to the reader — and then marks them read, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

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


def message_entry(message: case_messages.ShownMessage) -> dict[str, Any]:
    """A case message as a timeline entry (``kind``: ``consumer_message``, …)."""
    return {
        "id": message.id,
        "at": clock.iso(message.at),
        "kind": f"{message.author_kind}_message",
        "actor": message.author,
        "text": message.text,
        "unread": message.unread,
        "internal": False,
    }


def request_item(request: CaseRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "kind": request.kind,
        "note": request.note,
        "status": request.status,
        "requested_by": request.requested_by,
        "created_at": clock.iso(request.created_at),
        "closed_at": clock.iso(request.closed_at),
        "closed_by": request.closed_by,
    }


def conversation(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Staff messages and case messages of the timeline, in order, each labelled."""
    talk = []
    for entry in timeline:
        if entry["kind"] == "message":
            talk.append({"at": entry["at"], "author_kind": "staff", "author": entry["actor"],
                         "text": entry.get("note") or "", "unread": False})  # fmt: skip
        elif entry["kind"].endswith("_message"):
            # Consumer messages are case rows (``text``); a merchant's are timeline events
            # (``note``), read by nobody in particular.
            talk.append({"at": entry["at"], "author_kind": entry["kind"].removesuffix("_message"),
                         "author": entry["actor"], "text": entry.get("text", entry.get("note")),
                         "unread": entry.get("unread", False)})  # fmt: skip
    return talk


def merge(body: dict[str, Any], case: CaseView) -> dict[str, Any]:
    """Add the case to a detail from bots/staff_views.detail (timeline kept in order)."""
    timeline = [*body["timeline"], *(message_entry(m) for m in case.messages)]
    # Times carry their offset (local, see dialogs/clock.py): compare them as moments.
    timeline.sort(key=lambda entry: datetime.fromisoformat(entry["at"]))
    body["timeline"] = timeline
    body["conversation"] = conversation(timeline)
    body["requests"] = [request_item(r) for r in case.requests]
    body["unread_messages"] = sum(1 for m in case.messages if m.unread)
    return body
