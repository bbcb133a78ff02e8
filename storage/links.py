"""Linking a consumer's identities on several channels into one link group.

A consumer sends ``绑定`` / ``link`` on one channel and gets a 6-digit code; sending
``绑定 CODE`` / ``link CODE`` from another channel (and confirming) puts both identities
into one *link group*. "My complaints" shows the complaints of every identity of the
group; notices still go to the identity (channel) a complaint was filed on.

Groups make linking transitive: linking A–B and then B–C (or C–A) merges the groups, so
all three see everything. Only the code's issuer can hand it out, so nobody reaches
another consumer's complaints without that consumer's code.

Codes come from :mod:`secrets`, are stored as an HMAC under the server secret (a leaked
table does not reveal live codes: six digits are too few for a plain hash), live 10
minutes and are spent on use. Wrong codes are counted per identity: the fifth within an
hour locks entering codes for that identity for an hour.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import ColumnElement, and_, delete, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, IdentityLink, LinkAttempts, LinkCode

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG_CODES = 5
LOCKOUT = timedelta(hours=1)
# Spent and expired codes are kept this long so a late entry reads "expired", not "wrong".
KEEP_SPENT = timedelta(days=1)
# PostgreSQL: issuing and merging take this transaction lock so that two links at once
# can never split a group or hand out the same live code twice (linking is rare).
# SQLite needs none: BEGIN IMMEDIATE already serialises writers.
_ADVISORY_KEY = 0x5745_4C4E  # "WELN"


class LinkRefusal(Exception):
    """A code was refused; ``reason`` as in :class:`dialogs.command_results.LinkRefused`."""

    def __init__(
        self, reason: str, *, until: datetime | None = None, tries_left: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.until = until
        self.tries_left = tries_left


@dataclass(frozen=True)
class IssuedCode:
    """A fresh code (shown once to the consumer, never stored in clear here)."""

    code: str
    expires_at: datetime


@dataclass(frozen=True)
class LiveCode:
    """A code that may be redeemed, and the issuer's channel."""

    code_id: int
    issuer_platform: str


def code_hash(key: bytes, code: str) -> str:
    """The stored form of a code: HMAC-SHA256 under the server's link key."""
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()


async def _serialise(session: AsyncSession) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


def _live(now: datetime) -> ColumnElement[bool]:
    return and_(LinkCode.used_at.is_(None), LinkCode.expires_at > now)


async def issue_code(
    *, session: AsyncSession, identity: Identity, key: bytes, now: datetime
) -> IssuedCode:
    """Make a new code for ``identity``; its earlier unused codes stop working."""
    await _serialise(session)
    await session.execute(delete(LinkCode).where(LinkCode.expires_at < now - KEEP_SPENT))
    await session.execute(
        update(LinkCode)
        .where(LinkCode.identity_id == identity.id, _live(now))
        .values(expires_at=now)
    )
    for _ in range(50):
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        digest = code_hash(key, code)
        taken = await session.scalar(
            select(LinkCode.id).where(LinkCode.code_hash == digest, _live(now)).limit(1)
        )
        if taken is None:
            break
    else:  # a million codes live at once: refuse rather than hand out a shared one
        raise LinkRefusal("busy")
    expires_at = now + CODE_LIFETIME
    session.add(
        LinkCode(identity_id=identity.id, code_hash=digest, created_at=now, expires_at=expires_at)
    )
    await session.flush()
    return IssuedCode(code, expires_at)


async def check_code(
    *, session: AsyncSession, identity: Identity, key: bytes, code: str, now: datetime
) -> LiveCode:
    """The live code ``code`` names, for another identity of another consumer.

    Raises:
        LinkRefusal: locked, wrong (counted), expired or spent, own code, already linked.
    """
    attempts = await session.get(LinkAttempts, identity.id, with_for_update=True)
    if attempts is not None and attempts.locked_until is not None and attempts.locked_until > now:
        raise LinkRefusal("locked", until=attempts.locked_until)
    rows = (
        await session.execute(
            select(LinkCode, Identity.platform)
            .join(Identity, Identity.id == LinkCode.identity_id)
            .where(LinkCode.code_hash == code_hash(key, code))
            .order_by(LinkCode.created_at.desc(), LinkCode.id.desc())
        )
    ).all()
    live = [(c, p) for c, p in rows if c.used_at is None and c.expires_at > now]
    if not live:
        if rows:
            raise LinkRefusal("expired")
        await _count_wrong(session, identity, attempts, now)
    found, platform = live[0]
    if found.identity_id == identity.id:
        raise LinkRefusal("own_code")
    if await _group_id(session, found.identity_id) == await _group_id(session, identity.id):
        raise LinkRefusal("already_linked")
    return LiveCode(found.id, platform)


async def _count_wrong(
    session: AsyncSession, identity: Identity, attempts: LinkAttempts | None, now: datetime
) -> NoReturn:
    if attempts is None:
        attempts = LinkAttempts(identity_id=identity.id, failures=0)
        session.add(attempts)
    if attempts.last_failed_at is None or now - attempts.last_failed_at > LOCKOUT:
        attempts.failures = 0
    attempts.failures += 1
    attempts.last_failed_at = now
    await session.flush()
    if attempts.failures >= MAX_WRONG_CODES:
        attempts.failures = 0
        attempts.locked_until = now + LOCKOUT
        raise LinkRefusal("locked", until=attempts.locked_until)
    raise LinkRefusal("wrong", tries_left=MAX_WRONG_CODES - attempts.failures)


async def redeem(
    *, session: AsyncSession, identity: Identity, code_id: int, now: datetime
) -> tuple[Identity, list[int]]:
    """Spend the code and merge the two identities' groups.

    Returns:
        The code's issuer and the identity ids of the merged group.

    Raises:
        LinkRefusal: the code expired or was spent meanwhile, or is the consumer's own.
    """
    await _serialise(session)
    found = await session.get(LinkCode, code_id, with_for_update=True)
    if found is None or found.used_at is not None or found.expires_at <= now:
        raise LinkRefusal("expired")
    if found.identity_id == identity.id:
        raise LinkRefusal("own_code")
    issuer = await session.get_one(Identity, found.identity_id)
    found.used_at = now
    found.used_by = identity.id
    groups = {await _group_id(session, issuer.id), await _group_id(session, identity.id)}
    target = min(groups)
    for member in (issuer.id, identity.id):
        if await session.get(IdentityLink, member) is None:
            await session.execute(
                insert(IdentityLink).values(identity_id=member, group_id=member, linked_at=now)
            )
    await session.execute(
        update(IdentityLink)
        .where(IdentityLink.group_id.in_(groups))
        .values(group_id=target, linked_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(LinkAttempts).where(LinkAttempts.identity_id == identity.id))
    await session.flush()
    return issuer, await group_members(session=session, identity_id=identity.id)


async def _group_id(session: AsyncSession, identity_id: int) -> int:
    group = await session.scalar(
        select(IdentityLink.group_id).where(IdentityLink.identity_id == identity_id)
    )
    return identity_id if group is None else int(group)


async def group_members(*, session: AsyncSession, identity_id: int) -> list[int]:
    """Every identity id of ``identity_id``'s link group (itself when never linked)."""
    group = (
        select(IdentityLink.group_id)
        .where(IdentityLink.identity_id == identity_id)
        .scalar_subquery()
    )
    ids = await session.scalars(
        select(IdentityLink.identity_id).where(
            or_(IdentityLink.group_id == group, IdentityLink.identity_id == identity_id)
        )
    )
    members: Sequence[int] = sorted({identity_id, *ids})
    return list(members)
