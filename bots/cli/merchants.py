"""The work behind ``weiquan merchant create`` and ``weiquan merchant user``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bots.settings import Settings
from storage import audit
from storage import merchants as merchant_store
from storage.db import Database


async def create_merchant(
    settings: Settings,
    name: str,
    *,
    credit_code: str | None = None,
    odr: bool = False,
    aliases: Sequence[str] = (),
    address: str | None = None,
    contact: str | None = None,
) -> tuple[int | None, str | None]:
    """Register a merchant; returns (its id, None) or (None, the reason it was refused)."""
    database = Database(settings.database_url)
    try:
        async with database.transaction() as session:
            now = datetime.now(UTC)
            made = await merchant_store.create_merchant(
                session=session, name=name, now=now, credit_code=credit_code, aliases=aliases,
                address=address, contact=contact, odr=odr,
            )  # fmt: skip
            audit.record(session, staff=None, action="merchant.create", target=str(made.id),
                         now=now, detail={"name": made.name, "via": "cli"})  # fmt: skip
            return made.id, None
    except merchant_store.MerchantError as error:
        return None, str(error)
    finally:
        await database.dispose()


async def create_user(
    settings: Settings, username: str, merchant_id: int, password: str
) -> str | None:
    """Make a merchant login; returns an error message, or None when done."""
    database = Database(settings.database_url)
    try:
        async with database.transaction() as session:
            now = datetime.now(UTC)
            await merchant_store.create_login(
                session=session, username=username, password=password,
                merchant_id=merchant_id, now=now,
            )  # fmt: skip
            audit.record(session, staff=None, action="merchant.user", target=username, now=now,
                         detail={"merchant": merchant_id, "via": "cli"})  # fmt: skip
    except merchant_store.MerchantError as error:
        return str(error)
    finally:
        await database.dispose()
    return None
