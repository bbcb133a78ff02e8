"""How a consumer's dossier reaches them on each channel, and the signed links.

* web chat: ``/chat/dossier/{number}.pdf``, served only to the browser whose identity
  cookie owns the complaint (or is linked to its owner);
* Telegram: the PDF itself, sent as a document (the reply carries a ``document``
  reference the channel turns into ``sendDocument``);
* WeChat (and the terminal): a link to ``/chat/dossier/link/{token}``, where the token
  is signed with the server secret (itsdangerous), names the identity and the complaint,
  and stops working after 24 hours — WeChat's browser has no cookie of ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer

from dialogs.command_results import DossierReady
from dialogs.vocabulary import Platform

SALT = "weiquan.dossier-link"
LINK_MAX_AGE_SECONDS = 24 * 3600
DOCUMENT_PREFIX = "dossier:"


@dataclass(frozen=True)
class SignedDossier:
    """What a valid signed link names."""

    identity_id: int
    number: str


class DossierLinks:
    """Makes and reads the links and document references of consumer dossiers.

    Args:
        secret_key: the server secret (signs the links).
        base_url: the public URL of this server (``WEIQUAN_PUBLIC_BASE_URL``).
    """

    def __init__(self, secret_key: str, base_url: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self.base_url = base_url.rstrip("/")

    def ready(
        self, *, platform: str, identity_id: int, language: str, number: str, newest: bool
    ) -> DossierReady:
        """How the dossier of ``number`` goes to a consumer on ``platform``."""
        if platform == Platform.WEB:
            return DossierReady(number, link=web_path(number), newest=newest)
        if platform == Platform.TELEGRAM:
            return DossierReady(number, document=document_ref(language, number), newest=newest)
        return DossierReady(
            number, link=self.signed_link(identity_id, number), newest=newest, expires=True
        )

    def signed_link(self, identity_id: int, number: str) -> str:
        """A link to the dossier that works for 24 hours, for this identity only."""
        token = self._serializer.dumps({"i": identity_id, "n": number})
        return f"{self.base_url}/chat/dossier/link/{token}"

    def read(self, token: str) -> SignedDossier | None:
        """What a token names; None when forged, changed, malformed or over 24 hours old."""
        try:
            data = self._serializer.loads(token, max_age=LINK_MAX_AGE_SECONDS)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(data, dict):
            return None
        identity_id, number = data.get("i"), data.get("n")
        if not isinstance(identity_id, int) or not isinstance(number, str):
            return None
        return SignedDossier(identity_id, number)


def web_path(number: str) -> str:
    """The web chat's download path of a dossier (same origin as the chat page)."""
    return f"/chat/dossier/{quote(number, safe='')}.pdf"


def document_ref(language: str, number: str) -> str:
    """The reference a Telegram reply carries for the dossier document."""
    return f"{DOCUMENT_PREFIX}{language}:{number}"


def parse_document_ref(ref: str) -> tuple[str, str] | None:
    """(language, number) of a document reference, or None for anything else."""
    if not ref.startswith(DOCUMENT_PREFIX):
        return None
    language, _, number = ref[len(DOCUMENT_PREFIX) :].partition(":")
    return (language, number) if number else None
