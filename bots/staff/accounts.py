"""Changes to staff accounts: each audited, each ending the sessions it must.

An admin resets a password, changes a role, deactivates or reactivates an account;
anyone changes their own password. A reset, a role change and a deactivation end every
console session and API token of that account at once (``storage.staff.end_sessions``):
whoever held the old password or the old rights is signed out on the next request.
Changing one's own password ends the other sessions and keeps the current one, which
the caller issues again under the new epoch (as Django's ``update_session_auth_hash``
keeps the session that changed the password). Each ending is its own audit entry,
``auth.sessions_ended`` with the reason, next to the change itself.

Merchant logins are managed on the command line; here they are "no such account".
"""

from __future__ import annotations

from typing import Any

from bots.services import Services
from storage import audit
from storage import staff as staff_store
from storage.models import Staff

ADMIN_ACTIONS = ("password", "role", "deactivate", "reactivate")


class AccountRefused(Exception):
    """A change that is not made: ``key`` names the console's sentence (``err_self``)."""

    def __init__(self, key: str, status: int) -> None:
        super().__init__(key)
        self.key = key
        self.status = status


def _password_ok(password: str) -> bool:
    return staff_store.MIN_PASSWORD <= len(password) <= staff_store.MAX_PASSWORD


async def change_account(
    services: Services, admin: Staff, staff_id: int, action: str, *, password: str = "",
    role: str = "",
) -> Staff:  # fmt: skip
    """An admin's change to another account (``ADMIN_ACTIONS``).

    Raises:
        AccountRefused: no such staff account (404), one's own account (409), a bad
            password or role (422).
    """
    now = services.now()
    async with services.database.transaction() as session:
        person = await session.get(Staff, staff_id, with_for_update=True)
        if person is None or person.role not in staff_store.ROLES or action not in ADMIN_ACTIONS:
            raise AccountRefused("error_404", 404)
        if person.id == admin.id and action != "reactivate":
            raise AccountRefused(f"err_self_{action}", 409)
        detail: dict[str, Any] = {}
        if action == "password":
            if not _password_ok(password):
                raise AccountRefused("err_password", 422)
            person.password_hash = staff_store.hash_password(password)
        elif action == "role":
            if role not in staff_store.ROLES:
                raise AccountRefused("err_role", 422)
            if role == person.role:
                return person  # nothing changes, no session ends
            detail = {"from": person.role, "to": role}
            person.role = role
        elif action == "deactivate":
            person.active = False
        else:
            person.active = True
        audit.record(session, staff=admin, action=f"staff.{action}", target=person.username,
                     now=now, detail=detail)  # fmt: skip
        if action != "reactivate":
            await staff_store.end_sessions(session=session, staff=person)
            audit.record(session, staff=admin, action="auth.sessions_ended",
                         target=person.username, now=now, detail={"reason": action})  # fmt: skip
    return person


async def change_own_password(services: Services, staff: Staff, current: str, new: str) -> int:
    """Change the signed-in account's password; the epoch to issue the kept session under.

    Raises:
        AccountRefused: the current password is wrong (403) or the new one is not
            acceptable (422).
    """
    now = services.now()
    async with services.database.transaction() as session:
        person = await session.get(Staff, staff.id, with_for_update=True)
        if person is None or not staff_store.check_password(person, current):
            raise AccountRefused("err_current_password", 403)
        if not _password_ok(new):
            raise AccountRefused("err_password", 422)
        person.password_hash = staff_store.hash_password(new)
        audit.record(session, staff=person, action="account.password", target=person.username,
                     now=now)  # fmt: skip
        epoch = await staff_store.end_sessions(session=session, staff=person)
        audit.record(session, staff=person, action="auth.sessions_ended", target=person.username,
                     now=now, detail={"reason": "own_password", "kept": "current"})  # fmt: skip
    return epoch
