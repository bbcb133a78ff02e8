"""Staff accounts: create, authenticate, look up. Passwords are hashed with Argon2id.

Authentication answers the same way, in about the same time, whether or not the
account exists: an unknown name is checked against a dummy hash, so neither the answer
nor its timing tells an attacker which usernames are real.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Staff

# Ordered: each role may do everything the roles before it may.
ROLES: tuple[str, ...] = ("agent", "supervisor", "admin")
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256

_hasher = PasswordHasher()


class StaffError(ValueError):
    """An account cannot be created as asked (bad name, role or password, or taken).

    The message is the English sentence of the API and the command line; ``key`` names
    the refusal (``username``, ``role``, ``password``, ``taken``) for pages that say it
    in their own language.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def role_at_least(role: str, needed: str) -> bool:
    """Whether ``role`` includes the rights of ``needed`` (agent < supervisor < admin)."""
    if role not in ROLES or needed not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def hash_password(password: str) -> str:
    """An Argon2id hash with the library's current recommended parameters."""
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("weiquan-no-such-account")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password(staff: Staff, password: str) -> bool:
    """Whether ``password`` is the account's (Argon2id, constant-time in the library)."""
    return len(password) <= MAX_PASSWORD and _verify(staff.password_hash, password)


def check_new_account(username: str, role: str, password: str) -> None:
    """Raise StaffError when a new account's fields are not acceptable."""
    if not USERNAME.fullmatch(username):
        raise StaffError("username", "username: 2-64 letters, digits or _ . @ -")
    if role not in ROLES:
        raise StaffError("role", f"role must be one of {', '.join(ROLES)}")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise StaffError("password", f"password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters")


async def create_staff(
    *,
    session: AsyncSession,
    username: str,
    role: str,
    password: str,
    now: datetime,
    display_name: str | None = None,
) -> Staff:
    """Create an account.

    Raises:
        StaffError: invalid fields, or the username is taken.
    """
    check_new_account(username, role, password)
    taken = await session.scalar(select(Staff.id).where(Staff.username == username))
    if taken is not None:
        raise StaffError("taken", f"username {username!r} is taken")
    staff = Staff(
        username=username,
        role=role,
        password_hash=hash_password(password),
        display_name=display_name,
        active=True,
        created_at=now,
    )
    session.add(staff)
    await session.flush()
    return staff


async def authenticate(*, session: AsyncSession, username: str, password: str) -> Staff | None:
    """The active account with this name and password, else None (same cost either way)."""
    staff = None
    if len(username) <= 64 and len(password) <= MAX_PASSWORD:
        staff = await session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        _verify(_dummy_hash(), password[:MAX_PASSWORD])
        return None
    if not _verify(staff.password_hash, password) or not staff.active:
        return None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    return staff


async def get_active(
    *, session: AsyncSession, staff_id: int, epoch: int | None = None
) -> Staff | None:
    """The account behind a token or session, if it still exists and is active.

    With ``epoch`` (the one the token or cookie was issued under), also only while the
    account's sessions have not been ended since (:func:`end_sessions`).
    """
    staff = await session.get(Staff, staff_id)
    if staff is None or not staff.active:
        return None
    if epoch is not None and epoch != staff.session_epoch:
        return None
    return staff


async def end_sessions(*, session: AsyncSession, staff: Staff) -> int:
    """End every console session and API token issued to ``staff`` so far.

    Raises the account's session epoch in one statement (two changes at the same time
    never land on the same epoch), committed with the caller's transaction; returns
    the new epoch, under which a session that must go on is issued again.
    """
    raised = await session.execute(
        update(Staff)
        .where(Staff.id == staff.id)
        .values(session_epoch=Staff.session_epoch + 1)
        .returning(Staff.session_epoch)
        .execution_options(synchronize_session=False)
    )
    epoch = int(raised.scalar_one())
    set_committed_value(staff, "session_epoch", epoch)
    return epoch


async def by_username(*, session: AsyncSession, username: str) -> Staff | None:
    return await session.scalar(select(Staff).where(Staff.username == username))


async def list_staff(*, session: AsyncSession) -> list[Staff]:
    """Every account, by username."""
    return list(await session.scalars(select(Staff).order_by(Staff.username)))
