"""What the SQLite and PostgreSQL conversation locks share: the read and the write rules.

- :data:`COLUMNS`, the one column list of the locking read: identity, conversation,
  whether notices wait for the consumer, and the dedupe row of the message if any.
  :class:`LockingReads` spells it for a driver; every row comes back under these names.
- :func:`locked_from`, the one row → :class:`~storage.conversation_lock.Locked` mapper
  (with what the message got before), reading columns by name.
- :func:`identity_changes`, which identity columns a message or a staff move changes.

The read has four shapes: by platform user (a consumer message, joined to its dedupe
row) or by identity id (a staff move, no message), each for a push channel (notices
``held`` for a reply wait) or a pull channel (``pending`` ones ride along too). The shape
is chosen from the platform, never from a flag a caller passes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from dialogs.conversation import Conversation
from storage.conversation_lock import Locked
from storage.crypto import FieldCipher
from storage.outbox import CARRIED_BY_PULL, CARRIED_BY_REPLY, carried_by_reply
from storage.processed import Stored, stored_from

# last_inbound_at is rewritten at most this often when nothing else about the identity
# changes: a write saved per message; the WeChat 48-hour window is measured with a
# safety margin larger than this.
INBOUND_PRECISION = timedelta(seconds=60)


@dataclass(frozen=True)
class Column:
    """One column of the locking read: its name in the row and its SQL."""

    name: str
    sql: str
    json: bool = False


_WAITING = (
    "EXISTS (SELECT 1 FROM outbox o WHERE o.identity_id = i.id AND o.status IN ({statuses}))"
)

COLUMNS: tuple[Column, ...] = (
    Column("identity_id", "i.id"),
    Column("language", "i.language"),
    Column("language_chosen", "i.language_chosen"),
    Column("last_inbound_at", "i.last_inbound_at"),
    Column("pushes_since_inbound", "i.pushes_since_inbound"),
    Column("unsubscribed", "i.unsubscribed_at IS NOT NULL"),
    Column("blocked", "i.blocked"),
    Column("state", "c.state"),
    Column("answers", "c.answers", json=True),
    Column("version", "c.version"),
    Column("updated_at", "c.updated_at"),
    Column("notices_waiting", _WAITING),
    Column("seen", "p.identity_id IS NOT NULL"),
    Column("replies", "p.replies", json=True),
    Column("delivery", "p.delivery"),
    Column("claimed_until", "p.claimed_until"),
)
NAMES = tuple(column.name for column in COLUMNS)


@dataclass(frozen=True)
class Spelling:
    """How one driver writes the locking read.

    ``placeholders`` maps a parameter name (``platform``, ``external_id``,
    ``message_key``, ``identity_id``) to the driver's placeholder; ``json_text`` formats
    a JSON column so it reads as text; ``lock`` is the row-lock clause; ``extra`` are
    columns only this driver reads.
    """

    placeholders: Mapping[str, str]
    json_text: str = "{}"
    lock: str = ""
    extra: tuple[Column, ...] = field(default=())


def _render(spelling: Spelling, *, carried: tuple[str, ...], by_identity: bool) -> str:
    statuses = ", ".join(f"'{status}'" for status in carried)
    select_list = ",\n       ".join(
        f"{spelling.json_text.format(c.sql) if c.json else c.sql.format(statuses=statuses)}"
        f" AS {c.name}"
        for c in (*COLUMNS, *spelling.extra)
    )
    p = spelling.placeholders
    if by_identity:
        # A staff move carries no message: the dedupe join matches nothing.
        seen_on, where = "1 = 0", f"i.id = {p['identity_id']}"
    else:
        seen_on = (
            "p.platform = i.platform AND p.identity_id = i.id"
            f" AND p.message_key = {p['message_key']}"
        )
        where = f"i.platform = {p['platform']} AND i.external_id = {p['external_id']}"
    return (
        f"SELECT {select_list}\n"
        "FROM identities i JOIN conversations c ON c.identity_id = i.id\n"
        f"LEFT JOIN processed_messages p ON {seen_on}\n"
        f"WHERE {where}\n{spelling.lock}"
    )


class LockingReads:
    """The locking read in its four shapes, rendered once for one driver."""

    def __init__(self, spelling: Spelling) -> None:
        self._sql = {
            (carried, by_identity): _render(spelling, carried=carried, by_identity=by_identity)
            for carried in (CARRIED_BY_REPLY, CARRIED_BY_PULL)
            for by_identity in (False, True)
        }

    def by_user(self, platform: str) -> str:
        """A consumer message: parameters ``platform``, ``external_id``, ``message_key``."""
        return self._sql[carried_by_reply(platform), False]

    def by_identity(self, platform: str) -> str:
        """A staff move: parameter ``identity_id``; ``platform`` is the identity's."""
        return self._sql[carried_by_reply(platform), True]


def locked_from(
    row: Mapping[str, Any] | asyncpg.Record,
    cipher: FieldCipher,
    read_time: Callable[[Any], datetime | None] | None = None,
) -> tuple[Locked, Stored | None]:
    """The conversation and what the message got before (None: new, or a staff move).

    JSON columns arrive as text; ``read_time`` turns the driver's timestamps into aware
    datetimes (None: they are already, as asyncpg gives them).
    """
    inbound, updated = row["last_inbound_at"], row["updated_at"]
    if read_time is not None:
        inbound, updated = read_time(inbound), read_time(updated)
    answers = row["answers"]
    locked = Locked(
        identity_id=row["identity_id"],
        language=row["language"],
        language_chosen=bool(row["language_chosen"]),
        last_inbound_at=inbound,
        pushes_since_inbound=row["pushes_since_inbound"],
        unsubscribed=bool(row["unsubscribed"]),
        blocked=bool(row["blocked"]),
        state=row["state"],
        answers=(cipher.unseal(json.loads(answers)) or {}) if answers else {},
        version=row["version"],
        updated_at=updated,
        notices_waiting=bool(row["notices_waiting"]),
    )
    if not row["seen"]:
        return locked, None
    claimed = row["claimed_until"]
    if read_time is not None:
        claimed = read_time(claimed)
    return locked, stored_from(cipher, json.loads(row["replies"]), row["delivery"], claimed)


def identity_changes(
    locked: Locked,
    conv: Conversation,
    now: datetime,
    *,
    inbound: bool,
    resubscribe: bool = True,
    opens_window: bool = True,
) -> dict[str, Any]:
    """The identity columns a write changes; empty (no write) for most messages.

    ``inbound`` is False for a staff move: only the language can change. ``opens_window``
    is False for platform events (following, a menu click, a QR scan): WeChat opens only
    a short window for those, recorded apart (``NoteInteraction``), so they must not
    restart the 48 hours of a typed message.
    """
    changes: dict[str, Any] = {}
    if (conv.language, conv.language_chosen) != (locked.language, locked.language_chosen):
        changes.update(language=conv.language, language_chosen=conv.language_chosen)
    if inbound and opens_window:
        stale = locked.last_inbound_at is None or now - locked.last_inbound_at > INBOUND_PRECISION
        if stale or locked.pushes_since_inbound:
            changes.update(last_inbound_at=now, pushes_since_inbound=0)
    if inbound:
        if resubscribe and locked.unsubscribed:
            # A consumer who writes again after unfollowing is reachable again.
            changes["unsubscribed_at"] = None
        if resubscribe and locked.blocked:
            # Likewise after blocking the bot: Telegram delivers nothing from a user who
            # blocks it, so a message means the block was lifted.
            changes.update(blocked=False, blocked_reason=None)
    return changes
