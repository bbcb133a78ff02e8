"""The evidence store: files kept by the SHA-256 of their content.

A file lives at ``root/ab/cd/<sha256>`` (the first two byte pairs fan out the folders so
no directory grows to millions of entries). Names come only from the hash, never from
the consumer: a file name such as ``../../etc/passwd`` or ``发票.pdf.exe`` cannot reach
the file system. The same photo sent twice (a retry, two complaints) is stored once.

Only evidence types are accepted, judged by the bytes (magic numbers via ``filetype``),
never by a claimed name or MIME type: photos, PDF, voice and audio (WeChat voice is AMR,
Telegram voice is Ogg/Opus) and phone video. Everything else — executables, archives,
plain text — is refused, because staff open these files on their own machines.

Writes go to a temporary file in ``root/tmp`` and are moved in place with
``os.replace``: a crash leaves no half-written evidence under a valid key, and a reader
never sees a partial file. Web uploads wait in ``root/staging`` until the dialog has
recorded them as evidence (:meth:`BlobStore.staging`); the others are removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype

from dialogs.events import MediaKind

# filetype looks at no more than the first 8192 bytes; streams are classified on the
# same head, so put() and put_stream() always agree.
HEAD_BYTES = 8192
_KEY = re.compile(r"[0-9a-f]{64}")
# Beside the blobs (same file system, so keeping a file is a rename): uploads wait here
# until the dialog has decided whether they are evidence.
STAGING = "staging"

# MIME type reported by filetype -> the kind of evidence it is.
ALLOWED: dict[str, MediaKind] = {
    "image/jpeg": MediaKind.PHOTO,
    "image/png": MediaKind.PHOTO,
    "image/apng": MediaKind.PHOTO,  # an animated PNG is still a PNG
    "image/gif": MediaKind.PHOTO,
    "image/webp": MediaKind.PHOTO,
    "image/heic": MediaKind.PHOTO,  # iPhone camera default
    "application/pdf": MediaKind.DOCUMENT,
    "audio/amr": MediaKind.AUDIO,  # WeChat voice messages
    "audio/amr-wb": MediaKind.AUDIO,
    "audio/mpeg": MediaKind.AUDIO,
    "audio/mp4": MediaKind.AUDIO,  # m4a
    "audio/ogg": MediaKind.AUDIO,  # Telegram voice (Opus in Ogg)
    "audio/x-wav": MediaKind.AUDIO,
    "video/mp4": MediaKind.VIDEO,
    "video/quicktime": MediaKind.VIDEO,  # iPhone .mov
    "video/3gpp": MediaKind.VIDEO,  # older Android phones
    "video/webm": MediaKind.VIDEO,
}


class BlobRefused(Exception):
    """A file the store will not keep; ``reason`` is a ``Refused`` reason of the dialogs."""

    reason = "refused"


class BlobTooLarge(BlobRefused):
    """The file is larger than the store's ``max_bytes``."""

    reason = "too_large"


class BlobTypeRefused(BlobRefused):
    """The file is not an evidence type (judged by its bytes)."""

    reason = "bad_type"


@dataclass(frozen=True)
class StoredBlob:
    """A file in the store.

    Attributes:
        key: the store key (the SHA-256 in hex; the only way to address the file).
        sha256: the SHA-256 of the content in hex.
        size: the size in bytes.
        mime: the MIME type detected from the bytes.
        kind: photo, document, audio or video.
    """

    key: str
    sha256: str
    size: int
    mime: str
    kind: MediaKind


@dataclass(frozen=True)
class StagedBlob:
    """A received file waiting in the staging area until it is kept or dropped.

    Attributes:
        blob: what the file is (its key, hash, size and type).
        path: where it waits.
    """

    blob: StoredBlob
    path: Path


def classify(head: bytes) -> tuple[str, MediaKind]:
    """The MIME type and kind of a file from its first bytes.

    Raises:
        BlobTypeRefused: unknown or not an evidence type.
    """
    head = head[:HEAD_BYTES]
    mime = _sniff(head)
    if mime is None or mime not in ALLOWED:
        raise BlobTypeRefused(f"not an accepted evidence type: {mime or 'unknown'}")
    return mime, ALLOWED[mime]


def _sniff(head: bytes) -> str | None:
    # filetype 1.2 misses two formats phones really send: its 3GP matcher looks for
    # "ftyp3gp" at offset 0 (real files start with the box size), and it knows only
    # narrow-band AMR.
    if head[4:8] == b"ftyp" and head[8:11] in (b"3gp", b"3g2"):
        return "video/3gpp"
    if head.startswith(b"#!AMR-WB\n"):
        return "audio/amr-wb"
    kind = filetype.guess(head)
    return None if kind is None else str(kind.mime)


class BlobStore:
    """Content-addressed evidence files under ``root`` (``WEIQUAN_EVIDENCE_DIR``).

    Args:
        root: the store's folder; created when missing.
        max_bytes: the largest file accepted (``WEIQUAN_MAX_EVIDENCE_BYTES``).

    The methods do blocking file I/O except :meth:`put_stream`; call the others from a
    thread (``asyncio.to_thread``) in async code when files may be large.
    """

    def __init__(self, root: Path, max_bytes: int = 20 * 1024 * 1024) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    # ------------------------------------------------------------------ addressing

    def path(self, key: str) -> Path:
        """The file path of ``key``.

        Raises:
            ValueError: ``key`` is not 64 lowercase hex characters — the only check
                standing between a request parameter and the file system.
        """
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValueError("invalid blob key")
        return self.root / key[:2] / key[2:4] / key

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored. Raises ValueError for an invalid key."""
        return self.path(key).is_file()

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading (the caller closes it).

        Raises:
            ValueError: invalid key.
            FileNotFoundError: nothing stored under ``key``.
        """
        return self.path(key).open("rb")

    def delete(self, key: str) -> bool:
        """Remove the file of ``key``; False when nothing was stored under it.

        Raises:
            ValueError: invalid key.
        """
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        return True

    # ------------------------------------------------------------------ writing

    def put(self, data: bytes) -> StoredBlob:
        """Store ``data`` and describe it; identical content is stored once.

        Raises:
            BlobTooLarge: more than ``max_bytes``.
            BlobTypeRefused: not an evidence type.
        """
        if len(data) > self.max_bytes:
            raise BlobTooLarge(f"{len(data)} bytes is over the limit of {self.max_bytes}")
        mime, kind = classify(data)
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.is_file():
            fd, tmp = self._temp_file()
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                self._publish(Path(tmp), target)
            finally:
                _unlink_quietly(tmp)
        return StoredBlob(key=digest, sha256=digest, size=len(data), mime=mime, kind=kind)

    async def put_stream(self, chunks: AsyncIterator[bytes]) -> StoredBlob:
        """Store a download or upload as it arrives, without holding it in memory.

        Reading stops as soon as the size limit is passed, or as soon as the first
        8 KiB show a refused type, so a 2 GB upload costs at most one extra chunk.

        Raises:
            BlobTooLarge: more than ``max_bytes`` arrived.
            BlobTypeRefused: not an evidence type.
        """
        async with self._received(chunks, "tmp") as staged:
            await self.keep(staged)
            return staged.blob

    @asynccontextmanager
    async def staging(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[StagedBlob]:
        """Receive a file into the staging area; it is removed at the end unless kept.

        An upload becomes evidence only if the dialog records it: the caller runs the
        turn inside this block and calls :meth:`keep` when an evidence row names the
        file. Everything else (a wrong step, a refusal, an error) leaves nothing behind,
        so nobody can fill the evidence disk with files no complaint uses.

        Raises:
            BlobTooLarge: more than ``max_bytes`` arrived.
            BlobTypeRefused: not an evidence type.
        """
        async with self._received(chunks, STAGING) as staged:
            yield staged

    async def keep(self, staged: StagedBlob) -> None:
        """Move a staged file into the store under its key (kept once per content)."""
        await asyncio.to_thread(self._publish, staged.path, self.path(staged.blob.key))

    @asynccontextmanager
    async def _received(
        self, chunks: AsyncIterator[bytes], folder: str
    ) -> AsyncIterator[StagedBlob]:
        fd, tmp = await asyncio.to_thread(self._temp_file, folder)
        try:
            blob = await self._receive(chunks, os.fdopen(fd, "wb"))
            yield StagedBlob(blob=blob, path=Path(tmp))
        finally:
            await asyncio.to_thread(_unlink_quietly, tmp)

    async def _receive(self, chunks: AsyncIterator[bytes], fh: BinaryIO) -> StoredBlob:
        try:
            hasher = hashlib.sha256()
            head = b""
            size = 0
            classified: tuple[str, MediaKind] | None = None
            async for chunk in chunks:
                size += len(chunk)
                if size > self.max_bytes:
                    raise BlobTooLarge(f"over the limit of {self.max_bytes} bytes")
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                    if len(head) >= HEAD_BYTES:
                        classified = classify(head)
                hasher.update(chunk)
                await asyncio.to_thread(fh.write, chunk)
            mime, kind = classified or classify(head)
            await asyncio.to_thread(_sync_and_close, fh)
            digest = hasher.hexdigest()
            return StoredBlob(key=digest, sha256=digest, size=size, mime=mime, kind=kind)
        finally:
            fh.close()
            # Stop the producer (an HTTP download) at once instead of at garbage collection.
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    # ------------------------------------------------------------------ helpers

    def _temp_file(self, folder: str = "tmp") -> tuple[int, str]:
        # Same file system as the blobs, so os.replace is an atomic rename.
        tmp_dir = self.root / folder
        tmp_dir.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=tmp_dir, prefix="put-")

    @staticmethod
    def _publish(tmp: Path, target: Path) -> None:
        if target.is_file():
            # Same hash, same bytes: the copy already there is as good as ours.
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # Two writers of the same content may race here; os.replace is atomic, and
        # either file is the right content.
        os.replace(tmp, target)


def _sync_and_close(fh: BinaryIO) -> None:
    fh.flush()
    os.fsync(fh.fileno())
    fh.close()


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
