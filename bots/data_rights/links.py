"""Signed links to a consumer's data export, for channels that cannot carry a file.

WeChat passive replies are text only, so a WeChat consumer gets a link to
``/my-data/{token}``: the token names the identity and an expiry (24 hours), signed
with a key derived from the server secret (itsdangerous, its own salt, so no other
signed value of Weiquan is accepted as one). A changed token fails its signature; an
old one is refused after its expiry, read from the caller's clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "weiquan-my-data-link"
VALID_FOR = timedelta(hours=24)


class LinkInvalid(Exception):
    """The token was not made by this server (or was altered)."""


class LinkExpired(Exception):
    """The token is genuine but older than its validity."""


class MyDataLinks:
    """Makes and reads export links.

    Args:
        secret_key: the server secret.
        base_url: where consumers reach this server (``WEIQUAN_PUBLIC_BASE_URL``).
        valid_for: how long a link works.
    """

    def __init__(
        self, secret_key: str, base_url: str, valid_for: timedelta = VALID_FOR
    ) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=SALT)
        self.base_url = base_url.rstrip("/")
        self.valid_for = valid_for

    def token_for(self, identity_id: int, now: datetime) -> tuple[str, datetime]:
        """A token for ``identity_id`` and the moment it expires."""
        expires = now + self.valid_for
        token = self._serializer.dumps([identity_id, int(expires.timestamp())])
        return str(token), expires

    def url_for(self, identity_id: int, now: datetime) -> tuple[str, datetime]:
        """The link for ``identity_id`` and the moment it expires."""
        token, expires = self.token_for(identity_id, now)
        return f"{self.base_url}/my-data/{token}", expires

    def identity_for(self, token: str, now: datetime) -> int:
        """The identity a token was issued to.

        Raises:
            LinkInvalid: not signed by this server, or not a token of this kind.
            LinkExpired: past its expiry.
        """
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            raise LinkInvalid("bad signature") from None
        if (
            not isinstance(payload, list) or len(payload) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in payload)
        ):
            raise LinkInvalid("bad payload")
        identity_id, expires = payload
        if now >= datetime.fromtimestamp(expires, UTC):
            raise LinkExpired("expired")
        return int(identity_id)
