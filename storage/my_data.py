"""Everything Weiquan holds about one consumer, as one JSON document (``我的数据``).

The export is a list of steps, one per kind of data, so a table added later adds one
step to ``EXPORT_STEPS``. It covers the consumer's whole link group (all their
channels) and nothing of anyone else: every query is bound to the group's identity ids.
Contact details and drafts are decrypted — this is the consumer's own copy.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import consents, links
from storage.crypto import DecryptionError, FieldCipher
from storage.models import (
    CaseMessage,
    Complaint,
    ComplaintEvent,
    ConversationRow,
    Evidence,
    Identity,
    IdentityLink,
    ProcessedMessage,
)

FORMAT = "weiquan-my-data/1"


@dataclass(frozen=True)
class Subject:
    """Whose data is exported: the identities of one consumer's link group."""

    session: AsyncSession
    cipher: FieldCipher
    owners: tuple[int, ...]


ExportStep = Callable[[Subject], Awaitable[tuple[str, Any]]]


def _open(cipher: FieldCipher, blob: bytes | None) -> str | None:
    try:
        return cipher.decrypt(blob)
    except DecryptionError:
        return None


def _unseal(cipher: FieldCipher, stored: Any) -> Any:
    try:
        return cipher.unseal(stored)
    except DecryptionError:
        return None


async def _identities(subject: Subject) -> tuple[str, Any]:
    rows = await subject.session.execute(
        select(Identity, IdentityLink.linked_at)
        .outerjoin(IdentityLink, IdentityLink.identity_id == Identity.id)
        .where(Identity.id.in_(subject.owners))
        .order_by(Identity.id)
    )
    return "identities", [
        {
            "platform": identity.platform,
            "platform_user_id": identity.external_id,
            "language": identity.language,
            "first_contact": identity.created_at,
            "linked_at": linked_at,
            "unsubscribed_at": identity.unsubscribed_at,
        }
        for identity, linked_at in rows
    ]


async def _consents(subject: Subject) -> tuple[str, Any]:
    given = await consents.for_owners(session=subject.session, owners=subject.owners)
    numbers = await _numbers(subject.session, {c.complaint_id for c in given})
    return "consents", [
        {
            "complaint": numbers.get(c.complaint_id),
            "recipient": {"merchant_name": c.merchant_name, "merchant_id": c.merchant_id},
            "given_at": c.given_at,
            "withdrawn_at": c.withdrawn_at,
        }
        for c in given
    ]


def _evidence(row: Evidence) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "file_name": row.file_name,
        "mime": row.mime,
        "size": row.size,
        "sha256": row.sha256,
        "received_at": row.received_at,
        "status": row.fetch_status,
        "caption": row.caption,
    }


async def _complaints(subject: Subject) -> tuple[str, Any]:
    session, cipher = subject.session, subject.cipher
    rows = list(
        await session.scalars(
            select(Complaint)
            .where(Complaint.identity_id.in_(subject.owners))
            .order_by(Complaint.filed_at, Complaint.id)
        )
    )
    out = []
    for c in rows:
        # The consumer's timeline: status moves and messages to them, no internal notes.
        events = await session.scalars(
            select(ComplaintEvent)
            .where(
                ComplaintEvent.complaint_id == c.id,
                ComplaintEvent.public.is_(True),
                ComplaintEvent.kind.in_(("status", "message")),
            )
            .order_by(ComplaintEvent.at, ComplaintEvent.id)
        )
        files = await session.scalars(
            select(Evidence).where(Evidence.complaint_id == c.id).order_by(Evidence.id)
        )
        out.append(
            {
                "number": c.number, "type": c.type, "category": c.category,
                "subcategory": c.subcategory, "status": c.status, "channel": c.platform,
                "merchant_name": c.merchant_name, "merchant_address": c.merchant_address,
                "order_number": c.order_number, "incident_date": c.incident_date,
                "amount": c.amount, "description": c.description, "demands": c.demands,
                "contact_name": _open(cipher, c.contact_name_enc),
                "contact_phone": _open(cipher, c.contact_phone_enc),
                "share_contact_with_merchant": c.consent_share,
                "filed_at": c.filed_at, "closed_at": c.closed_at,
                "rating": c.rating, "rating_comment": c.rating_comment,
                "erase_on_close": c.erase_on_close, "anonymised_at": c.anonymised_at,
                "timeline": [
                    {"at": e.at, "kind": e.kind, "from": e.from_status, "to": e.to_status,
                     "message": e.note}
                    for e in events
                ],
                "evidence": [_evidence(f) for f in files],
            }
        )
    return "complaints", out


async def _messages(subject: Subject) -> tuple[str, Any]:
    session, cipher = subject.session, subject.cipher
    drafts = await session.scalars(
        select(ConversationRow).where(ConversationRow.identity_id.in_(subject.owners))
    )
    draft_files = await session.scalars(
        select(Evidence)
        .where(Evidence.identity_id.in_(subject.owners), Evidence.complaint_id.is_(None))
        .order_by(Evidence.id)
    )
    replies = await session.execute(
        select(ProcessedMessage.platform, ProcessedMessage.created_at, ProcessedMessage.replies)
        .where(ProcessedMessage.identity_id.in_(subject.owners))
        .order_by(ProcessedMessage.created_at)
    )
    written = list(
        await session.execute(
            select(CaseMessage.complaint_id, CaseMessage.created_at, CaseMessage.text_enc)
            .where(
                CaseMessage.identity_id.in_(subject.owners), CaseMessage.author_kind == "consumer"
            )
            .order_by(CaseMessage.created_at)
        )
    )
    numbers = await _numbers(session, {cid for cid, _, _ in written})
    return "messages", {
        "drafts": [
            {"state": d.state, "answers": _unseal(cipher, d.answers), "updated_at": d.updated_at}
            for d in drafts
        ],
        "draft_evidence": [_evidence(f) for f in draft_files],
        "your_messages_on_cases": [
            {"complaint": numbers.get(cid), "at": at, "text": _open(cipher, text)}
            for cid, at, text in written
        ],
        "replies_sent_to_you": [
            {"channel": platform, "at": at,
             "texts": [r.get("text") for r in (_unseal(cipher, stored) or [])
                       if isinstance(r, dict)]}
            for platform, at, stored in replies
        ],
    }


#: One step per kind of data held about a consumer.
EXPORT_STEPS: list[ExportStep] = [_identities, _consents, _complaints, _messages]


async def _numbers(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Complaint.id, Complaint.number).where(Complaint.id.in_(sorted(ids)))
    )
    return {cid: number for cid, number in rows}


async def export(
    *, session: AsyncSession, cipher: FieldCipher, identity_id: int, now: datetime
) -> dict[str, Any]:
    """The consumer's data (their whole link group) as a JSON-ready dict."""
    owners = await links.group_members(session=session, identity_id=identity_id)
    subject = Subject(session, cipher, tuple(sorted({identity_id, *owners})))
    document: dict[str, Any] = {"format": FORMAT, "exported_at": now}
    for step in EXPORT_STEPS:
        key, value = await step(subject)
        document[key] = value
    return document


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def to_json(document: dict[str, Any]) -> bytes:
    """The export as UTF-8 JSON, indented for reading."""
    return json.dumps(document, ensure_ascii=False, indent=2, default=_plain).encode("utf-8")
