"""The shared key-values channels keep their state in (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.kv import DatabaseKeyValues


async def test_a_value_is_replaced_and_expired_only_while_it_is_current(
    database: Database,
) -> None:
    values = DatabaseKeyValues(database)
    later = datetime.now(UTC) + timedelta(hours=2)
    assert await values.get("wechat:wx1") is None
    await values.put("wechat:wx1", "OLD", expires_at=later)
    await values.put("wechat:wx1", "NEW", expires_at=later)  # another process refreshed
    await values.expire("wechat:wx1", "OLD")  # a refusal of the old value changes nothing
    stored = await values.get("wechat:wx1")
    assert stored is not None and stored[0] == "NEW"
    assert stored[1] is not None and abs(stored[1] - later) < timedelta(seconds=1)
    await values.expire("wechat:wx1", "NEW")
    assert await values.get("wechat:wx1") == ("NEW", None)
    await values.put("telegram_offset", "42")
    assert await values.get("telegram_offset") == ("42", None)
