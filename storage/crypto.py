"""Contact details at rest, and masks for logs and staff lists.

A consumer's name and phone number are personal information under the PIPL: they are
encrypted in the database (``contact_name_enc``, ``contact_phone_enc``) so a leaked
backup or a SQL console does not expose them, and shown masked wherever a full value is
not needed (logs, complaint lists).

Drafts (``conversations.answers``) and the replies stored with each processed message
(they repeat the confirmation summary) hold the same details, so they are sealed with
the same key: :meth:`FieldCipher.seal` encrypts a JSON value into one Fernet token,
kept as a JSON string in the row's JSON column.

The Fernet key is derived from ``WEIQUAN_SECRET_KEY`` with HKDF-SHA256 and a fixed
purpose label, because the same secret also signs staff tokens: one secret, separate
keys, and a token signature can never be used to decrypt a contact.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Changing the label (or the secret) makes every stored contact unreadable: a new label
# means a new version and a re-encryption pass, never an edit.
CONTACT_KEY_INFO = b"weiquan-contact-v1"
# A second key from the same secret: the phone search index must not be the cipher key.
PHONE_INDEX_INFO = b"weiquan-phone-index-v1"

# Separators inside one name: spaces, and the middle dots of transliterated names
# (阿卜杜·热合曼, アンナ・カレーニナ).
_NAME_PARTS = re.compile(r"(\s+|[·・‧])")


class DecryptionError(Exception):
    """A stored blob could not be decrypted: wrong secret key, or corrupted data."""


class FieldCipher:
    """Encrypts and decrypts single text fields with a key derived from the secret.

    Args:
        secret_key: ``WEIQUAN_SECRET_KEY`` (or the generated one); must not be empty.

    Raises:
        ValueError: the secret key is empty.
    """

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("a secret key is required to encrypt contact details")
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            # No salt: the key must be the same in every process and after restarts,
            # and the secret is already high-entropy (48 random bytes by default).
            salt=None,
            info=CONTACT_KEY_INFO,
        ).derive(secret_key.encode("utf-8"))
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))
        self._index_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=PHONE_INDEX_INFO
        ).derive(secret_key.encode("utf-8"))

    def phone_index(self, phone: str | None) -> str | None:
        """A keyed hash of an E.164 phone number, for exact search without decrypting.

        HMAC-SHA256: without the secret key, the 10^11 possible numbers cannot be
        hashed to find the one behind an index.
        """
        if not phone:
            return None
        return hmac.new(self._index_key, phone.encode("utf-8"), hashlib.sha256).hexdigest()

    def encrypt(self, text: str | None) -> bytes | None:
        """Encrypt ``text``; None (no contact given) stays None, ``""`` is encrypted."""
        if text is None:
            return None
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, blob: bytes | None) -> str | None:
        """Decrypt a value from :meth:`encrypt`; None stays None.

        Raises:
            DecryptionError: the blob was made with another key or was altered.
        """
        if blob is None:
            return None
        try:
            return self._fernet.decrypt(bytes(blob)).decode("utf-8")
        except (InvalidToken, UnicodeDecodeError):
            # Never include the blob: the message may end up in a log.
            raise DecryptionError("contact field cannot be decrypted") from None

    def seal(self, value: Any) -> str:
        """Encrypt a JSON-serialisable value (a draft, stored replies) into one token."""
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def unseal(self, stored: Any) -> Any:
        """The value :meth:`seal` encrypted; plaintext JSON (rows from before
        encryption: a dict or a list, never a string) is returned as it is.

        Raises:
            DecryptionError: the token was made with another key or was altered.
        """
        if not isinstance(stored, str):
            return stored
        try:
            plain = self._fernet.decrypt(stored.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            raise DecryptionError("stored value cannot be decrypted") from None
        return json.loads(plain)


def mask_phone(phone: str | None) -> str:
    """Mask a phone number for logs and lists: ``+8613812345678`` → ``+86 138****5678``.

    Keeps the country code, the first 3 and the last 4 digits of the national number.
    A number without ``+`` is read as Chinese. Anything too short or unparsable is masked
    entirely (``****``) — a mask must never crash a log line or leak an odd value.
    """
    if not phone:
        return ""
    try:
        parsed = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException:
        return "****"
    national = phonenumbers.national_significant_number(parsed)
    # Fewer than 8 digits would leave at most one digit hidden.
    if len(national) < 8 or not national.isdigit():
        return "****"
    hidden = "*" * (len(national) - 7)
    return f"+{parsed.country_code} {national[:3]}{hidden}{national[-4:]}"


def mask_name(name: str | None) -> str:
    """Mask a personal name, keeping the first character of each part.

    ``张三丰`` → ``张**``, ``John Smith`` → ``J*** S****``; a one-character name is
    masked entirely, since its first character is the whole name.
    """
    if not name:
        return ""
    name = name.strip()
    if len(name) <= 1:
        return "*" if name else ""
    parts = _NAME_PARTS.split(name)
    masked = []
    for part in parts:
        if not part or _NAME_PARTS.fullmatch(part):
            # Collapse runs of whitespace: the mask should not reveal the layout.
            masked.append(" " if part.isspace() else part)
        else:
            masked.append(part[0] + "*" * (len(part) - 1))
    return "".join(masked)
