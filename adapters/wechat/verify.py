"""Request checks for ``/webhooks/wechat``: size, signature, replay window, safe mode.

WeChat's plain-mode ``signature`` covers token, timestamp and nonce but not the body:
anyone who saw one request can post any XML under it. So once an EncodingAESKey is
configured only safe-mode requests (``encrypt_type=aes`` with a ``msg_signature`` over
the ciphertext) are accepted, and every (timestamp, nonce) pair is remembered for the
replay window together with a digest of its body.

wechatpy's ``check_signature`` compares with ``!=`` (a timing oracle) and ignores the
timestamp, so signatures are computed here and compared with ``hmac.compare_digest``;
wechatpy's ``WeChatCrypto`` still does the AES part of safe mode.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any, Protocol

from wechatpy.crypto import WeChatCrypto

from adapters.base import AdapterError

# Passive messages are a few KiB at most; a cap before parsing keeps a flood of large
# bodies (or an XML bomb) from costing more than reading 64 KiB.
MAX_BODY = 64 * 1024

# XML from WeChat never declares a DOCTYPE or entities; refusing them outright closes
# billion-laughs and external-entity attacks before any parser sees the body.
_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class NonceStore(Protocol):
    """Where seen (timestamp, nonce) pairs are remembered (``storage/seen_nonces.py``)."""

    async def claim(self, key: str, digest: str, *, ttl: int) -> bool:
        """Remember ``key`` with ``digest`` for ``ttl`` seconds.

        Returns:
            True when ``key`` is new, or was seen with the same ``digest`` (a retry);
            False when it was seen with another digest (a replay).
        """
        ...

    async def close(self) -> None:
        """Release the store's connection, if it holds one of its own."""
        ...


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the sorted parts concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(
    token: str, *, signature_: str | None, timestamp: str | None, nonce: str | None,
    extra: str | None = None,
) -> None:
    """Raise ``AdapterError(403)`` unless ``signature_`` signs timestamp and nonce.

    Args:
        token: the token configured in the MP admin console.
        signature_: ``signature`` (plain mode) or ``msg_signature`` (safe mode).
        timestamp: the ``timestamp`` query parameter.
        nonce: the ``nonce`` query parameter.
        extra: the ``Encrypt`` text in safe mode (part of ``msg_signature``).
    """
    if not signature_ or not timestamp or not nonce:
        raise AdapterError(403, "missing signature")
    parts = [token, timestamp, nonce] + ([extra] if extra is not None else [])
    expected = signature(*parts)
    if not hmac.compare_digest(expected.encode(), signature_.lower().encode("utf-8", "replace")):
        raise AdapterError(403, "bad signature")


def check_timestamp(timestamp: str | None, *, now: float, window: int) -> None:
    """Raise ``AdapterError(403)`` when ``timestamp`` lies outside ``window`` seconds of now.

    A captured request replayed later carries a valid signature; the window bounds how
    long it stays usable. ``window`` 0 turns the check off (``WEIQUAN_WECHAT_REPLAY_WINDOW``).
    """
    if window <= 0:
        return
    try:
        sent = int(timestamp or "")
    except ValueError:
        raise AdapterError(403, "bad timestamp") from None
    if abs(now - sent) > window:
        raise AdapterError(403, "stale timestamp")


async def check_replay(
    store: NonceStore | None, body: bytes, *, timestamp: str, nonce: str, now: float,
    window: int,
) -> None:
    """Raise ``AdapterError(403)`` when (timestamp, nonce) came before with another body.

    WeChat retries a request it got no answer to with the same query and body: those
    pass (the engine's dedupe answers them). Call only after the signature holds, so
    that unsigned noise never fills the store. ``window`` 0 turns the check off, like
    the timestamp check: without a window there is nothing to bound the memory.
    """
    if store is None or window <= 0:
        return
    # Remember the pair until its timestamp leaves the window: after that the
    # timestamp check refuses it anyway.
    ttl = int(int(timestamp) + window - now) + 1
    digest = hashlib.sha256(body).hexdigest()
    if not await store.claim(f"{timestamp}:{nonce}", digest, ttl=ttl):
        raise AdapterError(403, "nonce already used")


def check_body(body: bytes) -> None:
    """Refuse bodies that WeChat never sends: too large (413), DOCTYPE or entity (400)."""
    if len(body) > MAX_BODY:
        raise AdapterError(413, "body too large")
    if _DANGEROUS.search(body):
        raise AdapterError(400, "DOCTYPE and entities are not accepted")


class SafeMode:
    """Safe-mode (``encrypt_type=aes``) decryption and encryption for one account.

    Args:
        token: the MP console token.
        aes_key: the 43-character EncodingAESKey.
        app_id: the account's AppID (the receiver id inside every ciphertext).
    """

    def __init__(self, token: str, aes_key: str, app_id: str) -> None:
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, app_id)

    def open(self, fields: dict[str, Any], *, msg_signature: str | None,
             timestamp: str | None, nonce: str | None) -> str:
        """The inner XML of a parsed safe-mode (or compatible-mode) envelope.

        Only ``Encrypt`` is read: in compatible mode the plaintext fields beside it are
        covered by no signature.

        Raises:
            AdapterError: 403 without a signed ciphertext, 400 for undecryptable text.
        """
        encrypted = fields.get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise AdapterError(403, "safe mode: no signed ciphertext")
        return self.decrypt(encrypted, msg_signature=msg_signature, timestamp=timestamp,
                            nonce=nonce)

    def decrypt(self, encrypted: str, *, msg_signature: str | None, timestamp: str | None,
                nonce: str | None) -> str:
        """The inner XML of a safe-mode message.

        Raises:
            AdapterError: 403 for a bad signature, 400 for undecryptable text.
        """
        check_signature(
            self.token, signature_=msg_signature, timestamp=timestamp, nonce=nonce,
            extra=encrypted,
        )
        try:
            plain: str = self.crypto.decrypt_message(
                {"Encrypt": encrypted}, msg_signature, timestamp, nonce
            )
        except Exception:  # bad base64, padding or receiver id: the sender is not WeChat
            raise AdapterError(400, "cannot decrypt") from None
        return plain

    def encrypt(self, xml: str, *, nonce: str, timestamp: str) -> str:
        """The encrypted envelope of a passive reply."""
        result: str = self.crypto.encrypt_message(xml, nonce, timestamp)
        return result
