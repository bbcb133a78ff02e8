"""The evidence dossier's manifest: everything a dossier shows, as canonical JSON.

A dossier is one complaint as a document that leaves Weiquan (to a court, a regulator,
a merchant, the consumer). Its manifest holds the facts, the demands, the timeline and
every evidence file's SHA-256, size, type and receipt time; the SHA-256 of the
manifest's canonical JSON (sorted keys, no whitespace, UTF-8) is printed on every page
of the PDF and the JSON itself is embedded in it, so anyone holding the PDF and the
evidence files can check that neither changed (``weiquan dossier verify``).

Who reads it decides what it holds (:class:`Audience`):

* **staff** see the whole timeline, internal notes and assignments included (marked
  internal), with the staff member who acted; the consumer's contact details only when
  they may see them (supervisors, the assigned agent: ``bots.staff.reach``);
* **the consumer** (and anyone a consumer's link reaches) sees what the chat shows them:
  status moves, messages and their own replies, with "staff" instead of a name; never
  internal notes, assignments or contact details — a dossier link can be forwarded.

The functions here are pure except :func:`load`, which reads one complaint.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.clock import iso, zone
from dialogs.texts import category_label, demand_label, offer_kind_label, status_label, type_label
from dialogs.vocabulary import FetchStatus
from storage import casework, offers
from storage.crypto import DecryptionError, FieldCipher
from storage.models import Complaint, ComplaintEvent, Evidence, Settlement

FORMAT = "weiquan-dossier/1"
#: Amounts are stored in yuan (flow.yaml asks for them in yuan).
CURRENCY = "CNY"
#: Timeline kinds only staff read.
STAFF_ONLY_KINDS = frozenset({"note", "assignment"})
IMAGE_MIMES = frozenset({"image/jpeg", "image/png", "image/apng", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Audience:
    """Who the dossier is for.

    Attributes:
        staff: a staff member (full timeline) rather than the consumer.
        contact: include the consumer's full name and phone — staff with the right to
            see them; a merchant's download may pass the consumer's ``consent_share``.
    """

    staff: bool
    contact: bool = False
    #: Set for a merchant: only these timeline kinds, with the public status moves.
    kinds: frozenset[str] | None = None

    @property
    def name(self) -> str:
        return "staff" if self.staff else "merchant" if self.kinds is not None else "consumer"

    def shows(self, kind: str, public: bool) -> bool:
        """Whether a timeline entry of ``kind`` belongs in this audience's dossier."""
        if self.staff:
            return True
        if self.kinds is not None:
            return kind in self.kinds or (kind == "status" and public)
        return public and kind not in STAFF_ONLY_KINDS


CONSUMER = Audience(staff=False)


async def load(*, session: AsyncSession, number: str) -> casework.Detail | None:
    """The complaint ``number`` with its timeline and evidence, or None."""
    complaint = await casework.by_number(session=session, number=number)
    if complaint is None:
        return None
    return await casework.detail(session=session, complaint=complaint)


def build(
    found: casework.Detail,
    *,
    audience: Audience,
    language: str,
    cipher: FieldCipher,
    generated_at: datetime,
) -> dict[str, Any]:
    """The manifest of one complaint for ``audience``, with labels in ``language``."""
    c = found.complaint
    return {
        "format": FORMAT,
        "language": language,
        "audience": audience.name,
        "timezone": zone().key,
        "generated_at": iso(generated_at),
        "complaint": _facts(c, language),
        "demands": [{"id": d, "label": demand_label(str(d), language)} for d in c.demands or []],
        "contact": _contact(c, cipher) if audience.contact else None,
        "timeline": [
            _event(e, language, staff=audience.staff, settlements=found.settlements)
            for e in found.events
            if audience.shows(e.kind, e.public)
        ],
        "evidence": [_evidence(item) for item in found.evidence],
    }


def canonical(manifest: dict[str, Any]) -> bytes:
    """The manifest as canonical JSON: sorted keys, no whitespace, UTF-8."""
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def digest(manifest: dict[str, Any]) -> str:
    """The SHA-256 (hex) of the manifest's canonical JSON."""
    return hashlib.sha256(canonical(manifest)).hexdigest()


def is_image(item: dict[str, Any]) -> bool:
    """Whether an evidence entry is a stored picture a thumbnail can be made of."""
    return item.get("mime") in IMAGE_MIMES and item.get("status") == FetchStatus.STORED


def _facts(c: Complaint, language: str) -> dict[str, Any]:
    return {
        "number": c.number,
        "type": c.type,
        "type_label": type_label(c.type, language),
        "category": c.category,
        "category_label": category_label(c.category, language),
        "subcategory": c.subcategory,
        "subcategory_label": category_label(c.subcategory, language) if c.subcategory else None,
        "status": c.status,
        "status_label": status_label(c.status, language),
        "merchant_name": c.merchant_name,
        "merchant_address": c.merchant_address,
        "order_number": c.order_number,
        "incident_date": c.incident_date.isoformat() if c.incident_date else None,
        # A string: a float would change the canonical JSON with the platform's rounding.
        "amount": str(c.amount) if c.amount is not None else None,
        "currency": CURRENCY if c.amount is not None else None,
        "description": c.description,
        "filed_at": iso(c.filed_at),
        "accepted_at": iso(c.accepted_at),
        "resolved_at": iso(c.resolved_at),
        "closed_at": iso(c.closed_at),
    }


def _contact(c: Complaint, cipher: FieldCipher) -> dict[str, Any]:
    try:
        return {
            "name": cipher.decrypt(c.contact_name_enc),
            "phone": cipher.decrypt(c.contact_phone_enc),
        }
    except DecryptionError:
        return {"name": None, "phone": None, "error": "cannot be decrypted with this key"}


def _event(
    e: ComplaintEvent, language: str, *, staff: bool, settlements: list[Settlement]
) -> dict[str, Any]:
    actor = e.actor if staff else e.actor.split(":", 1)[0]
    return {
        "at": iso(e.at),
        "kind": e.kind,
        "from_status": e.from_status,
        "from_label": status_label(e.from_status, language) if e.from_status else None,
        "to_status": e.to_status,
        "to_label": status_label(e.to_status, language) if e.to_status else None,
        "actor": actor,
        "note": e.note,
        "offer_kind": offer_kind_label(kind, language) if (kind := offers.offer_kind(e)) else None,
        "fulfil_by": day.isoformat() if (day := offers.fulfil_by(e, settlements)) else None,
        "internal": not e.public,
    }


def _evidence(item: Evidence) -> dict[str, Any]:
    stored = item.fetch_status == FetchStatus.STORED and bool(item.sha256)
    return {
        "id": item.id,
        "kind": item.kind,
        "mime": item.mime,
        "file_name": item.file_name,
        "size": item.size,
        "sha256": item.sha256 if stored else None,
        "status": item.fetch_status,
        "caption": item.caption,
        "received_at": iso(item.received_at),
    }
