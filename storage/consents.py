"""Consents to share contact details with a case's merchant: given, withdrawn, checked.

A complaint filed with ``consent_share`` gets a consent row; the consumer may withdraw it
per case at any time (``撤回同意`` / ``withdraw consent``), which stops the sharing from
then on. Whatever hands contact details to a merchant asks
:func:`contact_shared_with_merchant` first. Consent given to one named merchant when a
case is forwarded (storage/merchant_cases.py, PIPL art. 23) is withdrawn the same way.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs import lifecycle
from storage import merchant_cases
from storage.models import Complaint, ComplaintEvent, Consent


def record_given(*, session: AsyncSession, complaint: Complaint, now: datetime) -> Consent:
    """The consumer agreed, when filing ``complaint``, to share their contact details."""
    consent = Consent(
        identity_id=complaint.identity_id,
        complaint_id=complaint.id,
        merchant_name=complaint.merchant_name,
        given_at=now,
    )
    session.add(consent)
    return consent


async def contact_shared_with_merchant(
    *, session: AsyncSession, complaint_id: int, merchant_id: int | None = None
) -> bool:
    """Whether the consumer's contact details may be given to the case's merchant now.

    True only while a consent given for the case (for this merchant, when one is named
    on the consent) has not been withdrawn, and the case still holds contact details.
    """
    complaint = await session.get(Complaint, complaint_id)
    if complaint is None or not complaint.consent_share or complaint.anonymised_at is not None:
        return False
    query = select(Consent.id).where(
        Consent.complaint_id == complaint_id, Consent.withdrawn_at.is_(None)
    )
    if merchant_id is not None:
        query = query.where((Consent.merchant_id.is_(None)) | (Consent.merchant_id == merchant_id))
    return (await session.scalar(query.limit(1))) is not None


async def withdrawable(
    *, session: AsyncSession, owners: Collection[int]
) -> list[Complaint]:
    """The consumer's open cases whose contact details are shared, oldest first."""
    given_to_merchant = {
        complaint.id
        for complaint, _ in await merchant_cases.consents_given(session=session, owners=owners)
    }
    rows = await session.scalars(
        select(Complaint)
        .where(
            Complaint.identity_id.in_(sorted(owners)),
            Complaint.consent_share.is_(True) | Complaint.id.in_(sorted(given_to_merchant)),
            Complaint.status.not_in(sorted(lifecycle.FINAL_STATUSES)),
        )
        .order_by(Complaint.filed_at, Complaint.id)
    )
    return list(rows)


async def withdraw(*, session: AsyncSession, complaint: Complaint, now: datetime) -> bool:
    """Stop sharing the contact details of ``complaint``; False when nothing was shared."""
    merchants = [
        merchant_id
        for found, merchant_id in await merchant_cases.consents_given(
            session=session, owners=[complaint.identity_id]
        )
        if found.id == complaint.id
    ]
    for merchant_id in merchants:
        merchant_cases.record_consent(session, complaint, merchant_id, "withdrawn", now)
    if not complaint.consent_share and not merchants:
        return False
    complaint.consent_share = False
    complaint.updated_at = now
    given = await session.scalars(
        select(Consent).where(
            Consent.complaint_id == complaint.id, Consent.withdrawn_at.is_(None)
        )
    )
    for consent in given:
        consent.withdrawn_at = now
    # Staff see the change on the case (not the consumer's timeline: nothing to act on).
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id, kind="consent", actor="consumer",
            note="consent_withdrawn", public=False, at=now,
        )
    )
    await session.flush()
    return True


async def for_owners(*, session: AsyncSession, owners: Collection[int]) -> list[Consent]:
    """Every consent the consumer gave, withdrawn or not, oldest first."""
    rows = await session.scalars(
        select(Consent)
        .where(Consent.identity_id.in_(sorted(owners)))
        .order_by(Consent.given_at, Consent.id)
    )
    return list(rows)
