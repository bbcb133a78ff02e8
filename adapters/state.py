"""What channels keep between requests and across processes, and who may act alone.

Channels hold no database of their own: a long-polling offset, a shared access token
and the right to be the one process that polls or refreshes are kept through these two
contracts, which storage implements on the database (``storage/kv.py``,
``storage/leases.py``) and the app hands to the channels it builds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

#: A stored value and when it stops being valid (None: it does not expire).
Entry = tuple[str, datetime | None]


class KeyValues(Protocol):
    """Short named values shared by every process."""

    async def get(self, name: str) -> Entry | None:
        """The value under ``name`` with its expiry, None when there is none."""
        ...

    async def put(self, name: str, value: str, *, expires_at: datetime | None = None) -> None:
        """Store ``value`` under ``name``, replacing what was there."""
        ...

    async def expire(self, name: str, value: str) -> None:
        """Mark ``name`` expired if it still holds ``value`` (a newer value stays)."""
        ...


class Leases(Protocol):
    """Named rights that one holder at a time has, for a while.

    A holder renews its lease before it runs out; a holder that stops renewing (a
    crashed process) loses it when it does, and another may take it.
    """

    async def hold(self, name: str, holder: str, *, ttl: timedelta) -> bool:
        """Take or renew ``name`` for ``ttl``; False while someone else holds it."""
        ...

    async def release(self, name: str, holder: str) -> None:
        """Give ``name`` up, if ``holder`` has it, so the next one need not wait."""
        ...
