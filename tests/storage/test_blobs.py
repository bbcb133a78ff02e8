"""The content-addressed evidence store, with small real files made in the test."""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dialogs.events import MediaKind
from storage.blobs import (
    HEAD_BYTES,
    BlobRefused,
    BlobStore,
    BlobTooLarge,
    BlobTypeRefused,
    StoredBlob,
    classify,
)

# ----------------------------------------------------------------- real file headers


def png() -> bytes:
    """A valid 1×1 grey PNG."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def iso_bmff(major: bytes, *compatible: bytes) -> bytes:
    """An ISO base media file: an ``ftyp`` box, then an empty ``mdat``."""
    body = major + struct.pack(">I", 0x200) + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + struct.pack(">I", 8) + b"mdat"


def riff(form: bytes, payload: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(payload)) + form + payload


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
AMR = b"#!AMR\n" + b"\x3c" + bytes(31) * 3  # header + three 12.2 kbit/s frames
AMR_WB = b"#!AMR-WB\n" + b"\x2c" + bytes(60)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(32)
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(16) + b";"
WEBP = riff(b"WEBP", b"VP8 " + struct.pack("<I", 10) + bytes(10))
WAV = riff(b"WAVE", b"fmt " + struct.pack("<I", 16) + bytes(16))
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + bytes(64)
OGG_OPUS = b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead" + bytes(11)
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm\x42\x87\x81\x04" + bytes(16)

ACCEPTED: list[tuple[str, bytes, str, MediaKind]] = [
    ("png", png(), "image/png", MediaKind.PHOTO),
    ("jpeg", JPEG, "image/jpeg", MediaKind.PHOTO),
    ("gif", GIF, "image/gif", MediaKind.PHOTO),
    ("webp", WEBP, "image/webp", MediaKind.PHOTO),
    ("heic", iso_bmff(b"heic", b"mif1", b"heic"), "image/heic", MediaKind.PHOTO),
    ("pdf", PDF, "application/pdf", MediaKind.DOCUMENT),
    ("amr", AMR, "audio/amr", MediaKind.AUDIO),
    ("amr-wb", AMR_WB, "audio/amr-wb", MediaKind.AUDIO),
    ("mp3", MP3, "audio/mpeg", MediaKind.AUDIO),
    ("m4a", iso_bmff(b"M4A ", b"M4A ", b"mp42", b"isom"), "audio/mp4", MediaKind.AUDIO),
    ("ogg", OGG_OPUS, "audio/ogg", MediaKind.AUDIO),
    ("wav", WAV, "audio/x-wav", MediaKind.AUDIO),
    ("mp4", iso_bmff(b"isom", b"isom", b"iso2", b"mp41"), "video/mp4", MediaKind.VIDEO),
    ("mov", iso_bmff(b"qt  ", b"qt  "), "video/quicktime", MediaKind.VIDEO),
    ("3gp", iso_bmff(b"3gp4", b"3gp4", b"3gp5"), "video/3gpp", MediaKind.VIDEO),
    ("webm", WEBM, "video/webm", MediaKind.VIDEO),
]

REFUSED: list[tuple[str, bytes]] = [
    ("exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)),
    ("elf", b"\x7fELF\x02\x01\x01" + bytes(64)),
    ("zip", b"PK\x03\x04\x14\x00\x00\x00" + bytes(64)),
    ("text", "我要投诉这家商店，发票号码 12345\n".encode()),
    ("svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("html", b"<!doctype html><html><body>hi</body></html>"),
    ("empty", b""),
]


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "evidence", max_bytes=64 * 1024)


def leftover_temp_files(store: BlobStore) -> list[Path]:
    return [
        path
        for folder in (store.root / "tmp", store.root / "staging")
        if folder.exists()
        for path in folder.iterdir()
    ]


def stored_files(store: BlobStore) -> list[Path]:
    """Files under blob keys (the staging and temporary folders left out)."""
    return [p for p in store.root.rglob("*") if p.is_file() and len(p.name) == 64]


async def feed(data: bytes, size: int, seen: list[int] | None = None) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        if seen is not None:
            seen.append(start)
        yield data[start : start + size]


# ----------------------------------------------------------------- put


@pytest.mark.parametrize(("name", "data", "mime", "kind"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_put_accepts_evidence_types(
    store: BlobStore, name: str, data: bytes, mime: str, kind: MediaKind
) -> None:
    blob = store.put(data)
    digest = hashlib.sha256(data).hexdigest()
    assert blob == StoredBlob(key=digest, sha256=digest, size=len(data), mime=mime, kind=kind)
    assert blob.kind in {"photo", "document", "audio", "video"}
    assert store.path(blob.key) == store.root / digest[:2] / digest[2:4] / digest
    assert store.path(blob.key).read_bytes() == data
    assert store.exists(blob.key)
    with store.open(blob.key) as fh:
        assert fh.read() == data
    assert leftover_temp_files(store) == []


@pytest.mark.parametrize(("name", "data"), REFUSED, ids=[r[0] for r in REFUSED])
def test_put_refuses_other_types(store: BlobStore, name: str, data: bytes) -> None:
    with pytest.raises(BlobTypeRefused) as info:
        store.put(data)
    assert isinstance(info.value, BlobRefused)
    assert info.value.reason == "bad_type"
    assert not [p for p in store.root.rglob("*") if p.is_file()]


def test_put_refuses_too_large(store: BlobStore) -> None:
    data = png() + bytes(store.max_bytes)
    with pytest.raises(BlobTooLarge) as info:
        store.put(data)
    assert info.value.reason == "too_large"
    assert isinstance(info.value, BlobRefused)


def test_exactly_max_bytes_is_accepted(tmp_path: Path) -> None:
    data = PDF
    store = BlobStore(tmp_path, max_bytes=len(data))
    assert store.put(data).size == len(data)
    with pytest.raises(BlobTooLarge):
        BlobStore(tmp_path, max_bytes=len(data) - 1).put(data)


def test_identical_content_is_stored_once(store: BlobStore) -> None:
    first = store.put(PDF)
    stat = store.path(first.key).stat()
    second = store.put(PDF)
    assert first == second
    assert store.path(first.key).stat().st_ino == stat.st_ino
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert files == [store.path(first.key)]


def test_files_are_private(store: BlobStore) -> None:
    blob = store.put(png())
    # Evidence holds personal data: readable by the service account only.
    assert store.path(blob.key).stat().st_mode & 0o077 == 0


def test_classify_uses_bytes_only() -> None:
    assert classify(PDF) == ("application/pdf", MediaKind.DOCUMENT)
    with pytest.raises(BlobTypeRefused):
        classify(b"%PD")


# ----------------------------------------------------------------- keys and paths


@pytest.mark.parametrize(
    "key",
    [
        "",
        "a" * 63,
        "a" * 65,
        "A" * 64,
        "g" * 64,
        "../" + "a" * 61,
        "a" * 64 + "\n",
        "/" + "a" * 63,
        "aa/bb/" + "a" * 58,
    ],
)
def test_invalid_keys_never_become_paths(store: BlobStore, key: str) -> None:
    with pytest.raises(ValueError):
        store.path(key)
    with pytest.raises(ValueError):
        store.exists(key)
    with pytest.raises(ValueError):
        store.open(key)


def test_missing_key(store: BlobStore) -> None:
    key = "0" * 64
    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.open(key)


# ----------------------------------------------------------------- put_stream


async def test_put_stream_matches_put(store: BlobStore, tmp_path: Path) -> None:
    data = iso_bmff(b"isom", b"isom", b"mp41") + bytes(20_000)
    streamed = await store.put_stream(feed(data, 4096))
    direct = BlobStore(tmp_path / "other").put(data)
    assert streamed == direct
    assert store.path(streamed.key).read_bytes() == data
    assert leftover_temp_files(store) == []


async def test_put_stream_small_file_in_one_chunk(store: BlobStore) -> None:
    blob = await store.put_stream(feed(AMR, 1024))
    assert (blob.mime, blob.kind, blob.size) == ("audio/amr", MediaKind.AUDIO, len(AMR))


async def test_put_stream_stops_reading_past_the_limit(store: BlobStore) -> None:
    seen: list[int] = []
    closed: list[bool] = []

    async def endless() -> AsyncIterator[bytes]:
        try:
            yield png()
            while True:
                seen.append(1)
                yield bytes(10_000)
        finally:
            closed.append(True)

    with pytest.raises(BlobTooLarge):
        await store.put_stream(endless())
    # 64 KiB limit, 10 KB chunks: the 7th chunk passes it and nothing more is read.
    assert len(seen) == 7
    assert closed == [True]
    assert leftover_temp_files(store) == []
    assert not [p for p in store.root.rglob("*") if p.is_file()]


async def test_put_stream_refuses_a_bad_type_after_the_head(store: BlobStore) -> None:
    seen: list[int] = []
    exe = b"MZ\x90\x00" + bytes(60_000)
    with pytest.raises(BlobTypeRefused):
        await store.put_stream(feed(exe, 4096, seen))
    # Classified as soon as 8 KiB had arrived, not after the whole file.
    assert len(seen) == HEAD_BYTES // 4096
    assert leftover_temp_files(store) == []


async def test_put_stream_refuses_short_text(store: BlobStore) -> None:
    with pytest.raises(BlobTypeRefused):
        await store.put_stream(feed(b"hello", 2))
    with pytest.raises(BlobTypeRefused):
        await store.put_stream(feed(b"", 2))
    assert leftover_temp_files(store) == []


async def test_put_stream_identical_content_once(store: BlobStore) -> None:
    first = await store.put_stream(feed(PDF, 7))
    second = await store.put_stream(feed(PDF, 13))
    assert first == second
    assert [p for p in store.root.rglob("*") if p.is_file()] == [store.path(first.key)]


# ----------------------------------------------------------------- staging


async def test_a_staged_file_that_is_not_kept_leaves_nothing(store: BlobStore) -> None:
    async with store.staging(feed(PDF, 7)) as staged:
        assert staged.path.read_bytes() == PDF
        assert staged.blob.key == hashlib.sha256(PDF).hexdigest()
        assert not store.exists(staged.blob.key)
    assert stored_files(store) == []
    assert leftover_temp_files(store) == []


async def test_a_kept_staged_file_is_stored_under_its_key(store: BlobStore) -> None:
    async with store.staging(feed(PDF, 7)) as staged:
        await store.keep(staged)
    assert stored_files(store) == [store.path(staged.blob.key)]
    assert store.path(staged.blob.key).read_bytes() == PDF
    assert leftover_temp_files(store) == []


async def test_an_error_while_staged_leaves_nothing(store: BlobStore) -> None:
    with pytest.raises(RuntimeError):
        async with store.staging(feed(PDF, 7)):
            raise RuntimeError("the turn failed")
    assert stored_files(store) == []
    assert leftover_temp_files(store) == []


async def test_dropping_a_staged_copy_keeps_the_same_content_already_stored(
    store: BlobStore,
) -> None:
    # Content-addressed: a copy of a file some complaint already holds is staged and
    # dropped, and the stored file stays.
    kept = store.put(PDF)
    async with store.staging(feed(PDF, 5)) as staged:
        assert staged.blob.key == kept.key
    assert stored_files(store) == [store.path(kept.key)]
