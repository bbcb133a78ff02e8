"""``weiquan dossier verify``: check a dossier PDF and its evidence files.

Reads the embedded ``manifest.json``, checks that it is canonical JSON and that its
SHA-256 is the one recorded in the document information and printed on every page,
then recomputes each evidence file's SHA-256 and size from a blob store folder
(``root/ab/cd/<sha256>``, see ``storage.blobs``). One line per check: ``OK`` or
``FAILED`` (``SKIPPED`` for a file that was not in the store when the dossier was made).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from bots.dossier.pdf import HASH_KEY, MANIFEST_NAME
from storage import dossier
from storage.blobs import BlobStore

CHUNK = 1024 * 1024


def verify(pdf_path: Path, evidence_dir: Path) -> tuple[list[str], bool]:
    """The lines to print and whether everything matched."""
    # pypdf logs what it repairs in a damaged file; the FAILED lines say what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(pdf_path)
        embedded = reader.attachments.get(MANIFEST_NAME) or []
        info: Any = reader.metadata or {}
        pages = [page.extract_text() or "" for page in reader.pages]
    except (OSError, PyPdfError, ValueError, KeyError) as error:
        return [f"FAILED  cannot read {pdf_path}: {error}"], False
    if not embedded:
        return [f"FAILED  {pdf_path} has no embedded {MANIFEST_NAME}: not a Weiquan dossier"], False
    raw = embedded[0]
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        return [f"FAILED  the embedded manifest is not JSON: {error}"], False
    lines: list[str] = []
    ok = True
    digest = hashlib.sha256(raw).hexdigest()

    def check(passed: bool, text: str) -> None:
        nonlocal ok
        ok = ok and passed
        lines.append(f"{'OK' if passed else 'FAILED'}  {text}")

    number = (manifest.get("complaint") or {}).get("number", "?")
    check(
        isinstance(manifest, dict) and dossier.canonical(manifest) == raw,
        f"manifest of {number} is canonical JSON, SHA-256 {digest}",
    )
    recorded = str(info.get(HASH_KEY) or "")
    check(recorded == digest, f"recorded manifest hash {recorded or '(none)'}")
    missing = [str(n) for n, text in enumerate(pages, start=1) if digest not in text]
    check(
        not missing and bool(pages),
        f"manifest hash printed on every page ({len(pages)})"
        + (f"; missing on page {', '.join(missing)}" if missing else ""),
    )
    store = BlobStore(evidence_dir)
    for n, item in enumerate(manifest.get("evidence") or [], start=1):
        line = _file_line(store, n, item)
        if line.startswith("SKIPPED"):
            lines.append(line)
        else:
            check(line.startswith("OK"), line.split("  ", 1)[1])
    lines.append(f"{'OK' if ok else 'FAILED'}  dossier {number}")
    return lines, ok


def _file_line(store: BlobStore, n: int, item: dict[str, Any]) -> str:
    name = f"evidence {n} ({item.get('file_name') or item.get('kind')})"
    expected = item.get("sha256")
    if not expected:
        return f"SKIPPED  {name}: not in the store when the dossier was made ({item.get('status')})"
    try:
        path = store.path(str(expected))
    except ValueError:
        return f"FAILED  {name}: the manifest's hash {expected!r} is not a SHA-256"
    if not path.is_file():
        return f"FAILED  {name}: {expected} is missing from {store.root}"
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
    actual = hasher.hexdigest()
    if actual != expected:
        return f"FAILED  {name}: content changed, SHA-256 is now {actual}, expected {expected}"
    if item.get("size") is not None and size != item["size"]:
        return f"FAILED  {name}: {size} bytes, the dossier says {item['size']}"
    return f"OK  {name} SHA-256 {actual} ({size} bytes)"
