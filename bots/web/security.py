"""Staff credentials in transit: bearer tokens, console sessions, CSRF.

Tokens and session cookies are signed (itsdangerous, HMAC-SHA1 over the secret key with
a per-use salt) and carry their issue time, so they expire without any server state; the
account is loaded again on every request, so a deactivated account stops at once.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

TOKEN_SALT = "weiquan.staff.token"
SESSION_SALT = "weiquan.console.session"
TOKEN_TTL_SECONDS = 8 * 3600
SESSION_TTL_SECONDS = 12 * 3600
SESSION_COOKIE = "weiquan_console"


@dataclass(frozen=True)
class Session:
    """A console session: who, and the CSRF token every form must echo."""

    staff_id: int
    csrf: str


class Signer:
    """Issues and checks staff tokens and console sessions."""

    def __init__(self, secret_key: str) -> None:
        self._tokens = URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)
        self._sessions = URLSafeTimedSerializer(secret_key, salt=SESSION_SALT)

    def issue_token(self, staff_id: int) -> str:
        """A bearer token for the API, valid for ``TOKEN_TTL_SECONDS``."""
        return str(self._tokens.dumps({"sid": staff_id}))

    def read_token(self, token: str, max_age: int = TOKEN_TTL_SECONDS) -> int | None:
        """The staff id in a valid, unexpired token; None otherwise."""
        data = _loads(self._tokens, token, max_age)
        sid = data.get("sid") if data else None
        return sid if isinstance(sid, int) else None

    def issue_session(self, staff_id: int) -> tuple[str, Session]:
        """A signed cookie value for a fresh session, with its CSRF token."""
        session = Session(staff_id=staff_id, csrf=secrets.token_urlsafe(24))
        value = self._sessions.dumps({"sid": staff_id, "csrf": session.csrf})
        return str(value), session

    def read_session(self, value: str, max_age: int = SESSION_TTL_SECONDS) -> Session | None:
        data = _loads(self._sessions, value, max_age)
        if (
            not data
            or not isinstance(data.get("sid"), int)
            or not isinstance(data.get("csrf"), str)
        ):
            return None
        return Session(staff_id=data["sid"], csrf=data["csrf"])


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
