"""Complaint spikes: a merchant suddenly drawing many more complaints than it used to.

A merchant is flagged when, in the last 7 days, it has at least ``minimum`` complaints
and at least three times its weekly average over the 4 weeks before. A complaint counts
against a merchant when staff linked it, or when the name the consumer typed matches
the merchant's name or an alias (storage/merchant_names.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.merchant_names import keys_of, name_key
from storage.models import Complaint, Merchant, MerchantCase

WEEK = timedelta(days=7)
HISTORY_WEEKS = 4
FACTOR = 3


@dataclass
class Spike:
    """A flagged merchant, its counts, and the complaints of the last 7 days."""

    merchant: Merchant
    last_week: int
    weekly_average: float
    numbers: list[str] = field(default_factory=list)


async def spikes(*, session: AsyncSession, now: datetime, minimum: int) -> list[Spike]:
    """Merchants with a spike of complaints, the largest first."""
    merchants = list(await session.scalars(select(Merchant).order_by(Merchant.id)))
    if not merchants:
        return []
    by_key: dict[str, int] = {}
    for merchant in merchants:
        for key in keys_of(merchant.name, merchant.aliases or []):
            by_key.setdefault(key, merchant.id)
    since = now - WEEK * (HISTORY_WEEKS + 1)
    rows = await session.execute(
        select(Complaint.number, Complaint.merchant_name, Complaint.filed_at,
               MerchantCase.merchant_id)
        .outerjoin(MerchantCase, MerchantCase.complaint_id == Complaint.id)
        .where(Complaint.filed_at >= since)
        .order_by(Complaint.filed_at)
    )  # fmt: skip
    recent: dict[int, list[str]] = defaultdict(list)
    earlier: dict[int, int] = defaultdict(int)
    for number, typed, filed_at, linked in rows.all():
        merchant_id = linked or by_key.get(name_key(typed or ""))
        if merchant_id is None:
            continue
        if filed_at >= now - WEEK:
            recent[merchant_id].append(number)
        else:
            earlier[merchant_id] += 1
    found = []
    for merchant in merchants:
        numbers = recent.get(merchant.id, [])
        average = earlier.get(merchant.id, 0) / HISTORY_WEEKS
        if len(numbers) >= minimum and len(numbers) >= FACTOR * average:
            found.append(Spike(merchant, len(numbers), average, numbers))
    found.sort(key=lambda s: (-s.last_week, s.merchant.id))
    return found


async def spike_cases(
    *, session: AsyncSession, numbers: list[str]
) -> list[tuple[Complaint, MerchantCase | None]]:
    """The complaints of a spike with their merchant case (if linked), oldest first."""
    rows = await session.execute(
        select(Complaint, MerchantCase)
        .outerjoin(MerchantCase, MerchantCase.complaint_id == Complaint.id)
        .where(Complaint.number.in_(numbers))
        .order_by(Complaint.filed_at, Complaint.id)
    )
    return [(c, m) for c, m in rows.all()]
