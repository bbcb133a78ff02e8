"""Signed, expiring links to one consumer's view of one complaint (``/progress/{token}``).

A WeChat template message can show only a few short fields; its link opens the
complaint's progress page. The token names the consumer's identity and the complaint
and carries its own expiry, signed with the secret key: it cannot be altered to reach
another complaint, and the page checks again that the complaint belongs to that
consumer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "weiquan.progress.link"


class LinkRefused(Exception):
    """A token that does not open a page; ``status`` is 403 (forged) or 404 (expired)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class ProgressGrant:
    """What a valid token grants: one identity's read-only view of one complaint."""

    identity_id: int
    number: str


class ProgressLinks:
    """Issues and reads progress-page tokens.

    Args:
        secret_key: the deployment's secret key.
        base_url: ``WEIQUAN_PUBLIC_BASE_URL``, where consumers reach the service.
        days: how long a link stays valid.
        clock: the current time (tests pass their own).
    """

    def __init__(
        self, secret_key: str, base_url: str, days: int = 30,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=SALT)
        self.base_url = base_url.rstrip("/")
        self.lifetime = timedelta(days=days)
        self.clock = clock

    def token(self, identity_id: int, number: str) -> str:
        """A token for ``identity_id``'s view of complaint ``number``."""
        expires = int((self.clock() + self.lifetime).timestamp())
        return str(self._serializer.dumps({"i": identity_id, "n": number, "e": expires}))

    def link(self, identity_id: int, number: str) -> str:
        """The full URL of the progress page."""
        return f"{self.base_url}/progress/{self.token(identity_id, number)}"

    def read(self, token: str) -> ProgressGrant:
        """What ``token`` grants.

        Raises:
            LinkRefused: 403 when the token was not issued by us, 404 when it expired.
        """
        try:
            data = self._serializer.loads(token)
        except BadSignature:
            raise LinkRefused(403, "bad signature") from None
        if not isinstance(data, dict):
            raise LinkRefused(403, "not a progress token")
        identity_id, number, expires = data.get("i"), data.get("n"), data.get("e")
        if not (isinstance(identity_id, int) and isinstance(number, str)
                and isinstance(expires, int)):
            raise LinkRefused(403, "not a progress token")
        if self.clock().timestamp() >= expires:
            raise LinkRefused(404, "link expired")
        return ProgressGrant(identity_id=identity_id, number=number)
