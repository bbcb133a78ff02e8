"""Staff actions that reach beyond one complaint's casework: full contact details,
bulk notices to many consumers, and retries of dead notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bots.services import Services
from bots.staff.errors import Conflict, Forbidden, NotFound
from bots.staff.guards import checked_text, locked_complaint, require, today
from dialogs.replies import Reply
from dialogs.texts import t
from dialogs.vocabulary import Language
from storage import audit, casework, outbox
from storage import staff as staff_store
from storage.crypto import DecryptionError
from storage.models import Complaint, Staff


@dataclass(frozen=True)
class Contact:
    name: str | None
    phone: str | None


def may_see_contact(staff: Staff, complaint: Complaint) -> bool:
    """Supervisors see any consumer's contact; an agent only on complaints assigned to them."""
    if staff_store.role_at_least(staff.role, "supervisor"):
        return True
    return complaint.assignee_id == staff.id


async def reveal_contact(services: Services, staff: Staff, number: str) -> Contact:
    """The consumer's full name and phone, decrypted, with an audit entry."""
    async with services.database.transaction() as session:
        complaint = await locked_complaint(session, number)
        if not may_see_contact(staff, complaint):
            raise Forbidden("contact_forbidden")
        try:
            contact = Contact(
                services.cipher.decrypt(complaint.contact_name_enc),
                services.cipher.decrypt(complaint.contact_phone_enc),
            )
        except DecryptionError:
            raise Conflict("cannot_decrypt") from None
        audit.record(
            session, staff=staff, action="complaint.contact", target=number, now=services.now()
        )
        return contact


async def bulk_notice(
    services: Services,
    staff: Staff,
    filters: casework.Filters,
    text: str,
    text_en: str | None = None,
    *,
    action: str = "notice.bulk",
    about: dict[str, object] | None = None,
) -> int:
    """One notice to each consumer with a matching complaint (never two); returns the count.

    ``text`` goes to every consumer; ``text_en``, when given, replaces it for consumers
    who chat in English. The audit entry is ``action``, its detail extended by ``about``.
    """
    require(staff, "supervisor")
    text = checked_text(text)
    english = (text_en or "").strip() or None
    async with services.database.transaction() as session:
        now = services.now()
        consumers = await casework.consumers_matching(
            session=session, filters=filters, today=today(services)
        )
        for identity in consumers:
            body = english if english and identity.language == Language.EN else text
            reply = Reply(t(identity.language, "staff_notice.bulk", text=body))
            await outbox.enqueue(
                session=session, identity=identity, replies=[reply], now=now, kind="bulk"
            )
        audit.record(
            session,
            staff=staff,
            action=action,
            now=now,
            detail={
                **(about or {}),
                "consumers": len(consumers),
                "filters": _plain(filters),
                "text": text,
            },
        )
        return len(consumers)


async def retry_dead(services: Services, staff: Staff, notice_id: int) -> None:
    """Send a dead or undeliverable notice again. Supervisors only."""
    require(staff, "supervisor")
    async with services.database.transaction() as session:
        now = services.now()
        if not await outbox.retry_notice(session=session, notice_id=notice_id, now=now):
            raise NotFound("no_dead_notice", notice=notice_id)
        audit.record(session, staff=staff, action="notice.retry", target=str(notice_id), now=now)


def _plain(filters: casework.Filters) -> dict[str, object]:
    return {
        k: (str(v) if isinstance(v, date | datetime) else list(v) if isinstance(v, tuple) else v)
        for k, v in vars(filters).items()
        if v is not None
    }
