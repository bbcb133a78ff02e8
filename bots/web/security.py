"""Staff credentials in transit: bearer tokens, console sessions, CSRF.

Tokens and session cookies are signed (itsdangerous, HMAC-SHA1 over the secret key with
a per-use salt) and carry their issue time, so they expire without any server state; the
account is loaded again on every request, so a deactivated account stops at once.

Each also carries the account's *session epoch* (``staff.session_epoch``) from when it
was issued. A password reset, a role change or a deactivation raises the epoch, and
every token and cookie issued before no longer matches the account: all its sessions
end at once, on every replica, with no list of sessions to keep. Credentials issued
before epochs existed carry none and count as epoch 0.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

TOKEN_SALT = "weiquan.staff.token"
SESSION_SALT = "weiquan.console.session"
TOKEN_TTL_SECONDS = 8 * 3600
SESSION_TTL_SECONDS = 12 * 3600
SESSION_COOKIE = "weiquan_console"


@dataclass(frozen=True)
class Credential:
    """Who a bearer token is for, and the account's session epoch when it was issued."""

    staff_id: int
    epoch: int = 0


@dataclass(frozen=True)
class Session:
    """A console session: who, the CSRF token every form must echo, and the epoch."""

    staff_id: int
    csrf: str
    epoch: int = 0


class Signer:
    """Issues and checks staff tokens and console sessions."""

    def __init__(self, secret_key: str) -> None:
        self._tokens = URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)
        self._sessions = URLSafeTimedSerializer(secret_key, salt=SESSION_SALT)

    def issue_token(self, staff_id: int, epoch: int = 0) -> str:
        """A bearer token for the API, valid for ``TOKEN_TTL_SECONDS``."""
        return str(self._tokens.dumps({"sid": staff_id, "ep": epoch}))

    def read_token(self, token: str, max_age: int = TOKEN_TTL_SECONDS) -> Credential | None:
        """Who a valid, unexpired token is for; None otherwise."""
        data = _loads(self._tokens, token, max_age) or {}
        sid, epoch = data.get("sid"), data.get("ep", 0)
        if not isinstance(sid, int) or not _is_epoch(epoch):
            return None
        return Credential(staff_id=sid, epoch=int(epoch))

    def issue_session(
        self, staff_id: int, epoch: int = 0, csrf: str | None = None
    ) -> tuple[str, Session]:
        """A signed cookie value for a session, with its CSRF token (a new one unless given).

        Giving the CSRF token of the current session re-issues it under a new epoch:
        the forms already open in the browser keep working.
        """
        session = Session(staff_id=staff_id, csrf=csrf or secrets.token_urlsafe(24), epoch=epoch)
        value = self._sessions.dumps({"sid": staff_id, "csrf": session.csrf, "ep": epoch})
        return str(value), session

    def read_session(self, value: str, max_age: int = SESSION_TTL_SECONDS) -> Session | None:
        data = _loads(self._sessions, value, max_age)
        if (
            not data
            or not isinstance(data.get("sid"), int)
            or not isinstance(data.get("csrf"), str)
            or not _is_epoch(data.get("ep", 0))
        ):
            return None
        return Session(staff_id=data["sid"], csrf=data["csrf"], epoch=int(data.get("ep", 0)))


def _is_epoch(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _loads(serializer: URLSafeTimedSerializer, value: str, max_age: int) -> dict[str, Any] | None:
    if not value or len(value) > 4096:
        return None
    try:
        data = serializer.loads(value, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return data if isinstance(data, dict) else None


def csrf_ok(session: Session, submitted: str | None) -> bool:
    """Whether a form carried the session's CSRF token (constant-time comparison)."""
    # Bytes: compare_digest raises TypeError on str with non-ASCII characters.
    given = (submitted or "").encode("utf-8", "replace")
    return bool(submitted) and hmac.compare_digest(session.csrf.encode(), given)


def session_started(
    request: Request, session_value: str, *, to: str, cookie: str, path: str, login_csrf: str
) -> RedirectResponse:
    """The answer to a good sign-in on a page: the session cookie set, the login CSRF gone."""
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        cookie, session_value, max_age=SESSION_TTL_SECONDS, path=path, httponly=True,
        samesite="lax", secure=request.url.scheme == "https",
    )  # fmt: skip
    response.delete_cookie(login_csrf, path=path)
    return response
