"""What every staff action checks before it changes anything.

The role (so the API and the console can never disagree about who may do what), the
complaint (found and locked for the transaction), the text staff wrote, and the desk's
date against which deadlines are read.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bots.services import Services
from bots.staff.errors import Forbidden, Invalid, NotFound
from dialogs.clock import local_date
from storage import casework
from storage import staff as staff_store
from storage.models import Complaint, Staff

TEXT_LIMIT = 2000  # characters of a note, a message or a notice


def require(staff: Staff, role: str) -> None:
    """Raise Forbidden unless ``staff`` has at least ``role``."""
    if not staff_store.role_at_least(staff.role, role):
        raise Forbidden("forbidden_role", role=role, have=staff.role)


def today(services: Services) -> date:
    """The desk's date (``WEIQUAN_TIMEZONE``), against which deadlines are read."""
    return local_date(services.now())


async def locked_complaint(session: AsyncSession, number: str) -> Complaint:
    complaint = await casework.by_number(session=session, number=number, lock=True)
    if complaint is None:
        raise NotFound("no_complaint", number=number)
    return complaint


def checked_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid("text_empty")
    if len(text) > TEXT_LIMIT:
        raise Invalid("text_too_long", limit=TEXT_LIMIT)
    return text
