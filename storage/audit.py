"""The audit log: who did what, when. Every staff action writes one entry.

Entries are written in the same transaction as the action they describe, so the log
never claims an action that was rolled back, and never misses one that committed.
Reading a consumer's full contact details is an action too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Staff


def actor_of(staff: Staff | None) -> str:
    """The actor string used in the audit log and the complaint timeline."""
    return f"staff:{staff.username}" if staff is not None else "anonymous"


def record(
    session: AsyncSession,
    *,
    staff: Staff | None,
    action: str,
    now: datetime,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry to the session (it commits with the caller's transaction)."""
    entry = AuditEntry(
        staff_id=staff.id if staff is not None else None,
        actor=actor_of(staff),
        action=action,
        target=target,
        detail=detail or {},
        at=now,
    )
    session.add(entry)
    return entry

