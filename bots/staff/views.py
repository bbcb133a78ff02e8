"""Complaints as staff see them: the models of :mod:`bots.staff.schemas` for the API, the
console and the CSV export.

Contact details appear masked here (``张*``, ``+86 138****5678``); the full values come
only from the audited contact action. Times are ISO 8601 in the local zone with its
offset (``2026-11-24T01:00:00+08:00``); due dates are local days.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from bots.staff import case_views
from bots.staff.schemas import (
    Clock,
    ComplaintDetail,
    ComplaintExportRow,
    ComplaintListItem,
    ComplaintSummary,
    EventEntry,
    EvidenceItem,
    NoticeEntry,
    NoticeItem,
    Statistics,
    TimelineEntry,
)
from dialogs.clock import iso
from dialogs.vocabulary import FetchStatus
from storage import casework, offers
from storage.crypto import DecryptionError, FieldCipher, mask_name, mask_phone
from storage.deadlines import Deadlines
from storage.models import Complaint, Evidence, OutboxNotice


def masked_contact(cipher: FieldCipher, complaint: Complaint) -> tuple[str, str]:
    """The consumer's name and phone, masked; ``****`` when they cannot be decrypted."""
    try:
        name = cipher.decrypt(complaint.contact_name_enc)
        phone = cipher.decrypt(complaint.contact_phone_enc)
    except DecryptionError:
        return "****", "****"
    return mask_name(name), mask_phone(phone)


def _summary_fields(
    complaint: Complaint,
    assignee: str | None,
    *,
    cipher: FieldCipher,
    today: date,
    deadlines: Deadlines,
) -> dict[str, Any]:
    name, phone = masked_contact(cipher, complaint)
    return {
        "number": complaint.number,
        "type": complaint.type,
        "category": complaint.category,
        "subcategory": complaint.subcategory,
        "platform": complaint.platform,
        "status": complaint.status,
        "merchant_name": complaint.merchant_name,
        "filed_at": iso(complaint.filed_at),
        "updated_at": iso(complaint.updated_at),
        "accept_due": _day(complaint.accept_due),
        "resolve_due": _day(complaint.resolve_due),
        "mediation_due": _day(complaint.mediation_due),
        "decision_due": _day(complaint.decision_due),
        "answer_due": _day(complaint.answer_due),
        "clocks": [Clock(**view.as_dict()) for view in deadlines.views(complaint, today=today)],
        "assignee": assignee,
        "contact_name": name,
        "contact_phone": phone,
        "rating": complaint.rating,
        # Data rights: held past retention; erased when it closes; kept only anonymously.
        "legal_hold": complaint.legal_hold,
        "legal_hold_note": complaint.legal_hold_note,
        "erase_on_close": complaint.erase_on_close,
        "anonymised_at": iso(complaint.anonymised_at) if complaint.anonymised_at else None,
        "deadline_flags": casework.deadline_flags(complaint, today=today),
    }


def summary(
    complaint: Complaint,
    assignee: str | None,
    *,
    cipher: FieldCipher,
    today: date,
    deadlines: Deadlines,
) -> ComplaintSummary:
    """One row of a list, with every clock of the case (due, working days left/overdue)."""
    return ComplaintSummary(
        **_summary_fields(complaint, assignee, cipher=cipher, today=today, deadlines=deadlines)
    )


def list_item(
    complaint: Complaint,
    assignee: str | None,
    *,
    unread: int,
    cipher: FieldCipher,
    today: date,
    deadlines: Deadlines,
) -> ComplaintListItem:
    """A row of the API's list: the summary and the consumer messages not read yet."""
    fields = _summary_fields(complaint, assignee, cipher=cipher, today=today, deadlines=deadlines)
    return ComplaintListItem(**fields, unread_messages=unread)


def detail_row(
    complaint: Complaint,
    assignee: str | None,
    *,
    cipher: FieldCipher,
    today: date,
    deadlines: Deadlines,
) -> ComplaintExportRow:
    """A list row with the amount, demands and description (the console's export)."""
    return ComplaintExportRow(
        **_summary_fields(complaint, assignee, cipher=cipher, today=today, deadlines=deadlines),
        amount=_money(complaint),
        demands=list(complaint.demands or []),
        description=complaint.description,
    )


def evidence_item(number: str, item: Evidence) -> EvidenceItem:
    stored = item.fetch_status == FetchStatus.STORED and item.blob_key is not None
    return EvidenceItem(
        id=item.id,
        kind=item.kind,
        mime=item.mime,
        file_name=item.file_name,
        size=item.size,
        sha256=item.sha256,
        caption=item.caption,
        fetch_status=item.fetch_status,
        last_error=item.last_error,
        received_at=iso(item.received_at),
        download=f"/api/v1/complaints/{number}/evidence/{item.id}" if stored else None,
    )


def notice_item(notice: OutboxNotice) -> NoticeItem:
    texts = [r.get("text", "") for r in notice.payload.get("replies", [])]
    return NoticeItem(
        id=notice.id,
        kind=notice.kind,
        platform=notice.platform,
        status=notice.status,
        attempts=notice.attempts,
        last_error=notice.last_error,
        delivered_via=notice.delivered_via,
        created_at=iso(notice.created_at),
        sent_at=iso(notice.sent_at),
        text="\n".join(texts),
    )


def detail(
    found: casework.Detail,
    case: case_views.CaseView,
    *,
    cipher: FieldCipher,
    today: date,
    deadlines: Deadlines,
) -> ComplaintDetail:
    """Every field, the timeline (moves, notes, messages both ways, notices), the evidence,
    the conversation and the requests."""
    c = found.complaint
    timeline: list[TimelineEntry] = [
        EventEntry(
            at=iso(e.at), kind=e.kind, from_status=e.from_status, to_status=e.to_status,
            actor=e.actor, note=e.note, internal=not e.public,
            reason=None if offers.offer_kind(e) else e.reason, offer_kind=offers.offer_kind(e),
            fulfil_by=_day(offers.fulfil_by(e, found.settlements)),
        )
        for e in found.events
    ]  # fmt: skip
    timeline += [
        NoticeEntry(at=iso(n.created_at), kind="notice", notice=notice_item(n))
        for n in found.notices
    ]
    timeline += [case_views.message_entry(m) for m in case.messages]
    # Compared as moments: string order would break across a daylight-saving change.
    timeline.sort(key=lambda entry: datetime.fromisoformat(entry.at))
    return ComplaintDetail(
        **_summary_fields(c, found.assignee, cipher=cipher, today=today, deadlines=deadlines),
        merchant_address=c.merchant_address,
        order_number=c.order_number,
        incident_date=_day(c.incident_date),
        amount=_money(c),
        description=c.description,
        demands=list(c.demands or []),
        consent_share=c.consent_share,
        language=found.identity.language,
        accepted_at=iso(c.accepted_at),
        resolved_at=iso(c.resolved_at),
        closed_at=iso(c.closed_at),
        rating_comment=c.rating_comment,
        rated_at=iso(c.rated_at),
        timeline=timeline,
        evidence=[evidence_item(c.number, item) for item in found.evidence],
        conversation=case_views.conversation(timeline),
        requests=[case_views.request_item(r) for r in case.requests],
        unread_messages=sum(1 for m in case.messages if m.unread),
    )


def statistics(
    figures: dict[str, Any], filed_from: date | None, filed_to: date | None
) -> Statistics:
    """The figures of :func:`storage.statistics.compute` for the range they count."""
    return Statistics(**figures, filed_from=_day(filed_from), filed_to=_day(filed_to))


CSV_COLUMNS = (
    "number",
    "type",
    "category",
    "subcategory",
    "platform",
    "status",
    "merchant_name",
    "filed_at",
    "accept_due",
    "resolve_due",
    "mediation_due",
    "decision_due",
    "answer_due",
    "assignee",
    "contact_name",
    "contact_phone",
    "rating",
)


def csv_text(rows: Iterable[ComplaintSummary]) -> str:
    """A CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese right)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(getattr(row, col)) for col in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a merchant name like "=HYPERLINK(...)" must stay text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _money(complaint: Complaint) -> str | None:
    return str(complaint.amount) if complaint.amount is not None else None
