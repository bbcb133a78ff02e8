"""The work behind ``weiquan staff create`` (kept out of the CLI module's imports)."""

from __future__ import annotations

from datetime import UTC, datetime

from bots.settings import Settings
from storage import audit
from storage import staff as staff_store
from storage.db import Database


async def create_account(
    settings: Settings, username: str, role: str, password: str, display_name: str | None
) -> str | None:
    """Create the account; returns an error message, or None when done."""
    database = Database(settings.database_url)
    try:
        async with database.transaction() as session:
            now = datetime.now(UTC)
            made = await staff_store.create_staff(
                session=session,
                username=username,
                role=role,
                password=password,
                now=now,
                display_name=display_name,
            )
            audit.record(
                session, staff=None, action="staff.create", target=made.username, now=now,
                detail={"role": role, "via": "cli"},
            )  # fmt: skip
    except staff_store.StaffError as error:
        return str(error)
    finally:
        await database.dispose()
    return None
