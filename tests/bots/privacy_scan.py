"""Looks for a value in every row of every table: plain text, encrypted fields, sealed JSON."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bots.services import Services
from storage.crypto import DecryptionError
from storage.models import Base


def _readable(services: Services, value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        try:
            return services.cipher.decrypt(bytes(value)) or ""
        except DecryptionError:
            return bytes(value).decode("latin-1")
    if isinstance(value, str):
        try:  # a sealed JSON value (drafts, stored replies) is a string token
            return value + json.dumps(services.cipher.unseal(value), ensure_ascii=False)
        except (DecryptionError, ValueError, UnicodeEncodeError):
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


async def places_holding(services: Services, *needles: str) -> list[str]:
    """``table.column`` for every stored value that contains one of ``needles``."""
    return sorted({place for place, _ in await values_holding(services, *needles)})


async def values_holding(services: Services, *needles: str) -> list[tuple[str, str]]:
    """(``table.column``, readable value) for every stored value holding one of ``needles``."""
    found = []
    async with services.database.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    text = _readable(services, value)
                    if any(n in text for n in needles):
                        found.append((f"{table.name}.{column}", text))
    return found
