"""How an evidence file is served to staff: type, name and the headers that keep it inert.

Evidence comes from consumers, so a file must never run in the console's origin:
``nosniff`` stops the browser guessing a type, ``Content-Security-Policy: sandbox``
gives a file opened in a tab no scripts and an opaque origin, and only images, audio,
video and PDF are shown inline (everything else downloads). The consumer's file name
is not used: it may carry paths, quotes or control characters, so a name is generated
from the complaint, the evidence id and the type.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs import cleaning

INLINE_MAIN_TYPES = frozenset({"image", "audio", "video"})
INLINE_TYPES = frozenset({"application/pdf"})
# Images that are documents with scripts: downloaded, never shown.
NEVER_INLINE = frozenset({"image/svg+xml"})
EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/apng": "png", "image/gif": "gif",
    "image/webp": "webp", "image/heic": "heic", "application/pdf": "pdf",
    "audio/amr": "amr", "audio/amr-wb": "awb", "audio/mpeg": "mp3", "audio/mp4": "m4a",
    "audio/ogg": "ogg", "audio/x-wav": "wav", "video/mp4": "mp4", "video/quicktime": "mov",
    "video/3gpp": "3gp", "video/webm": "webm",
}  # fmt: skip
SAFETY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@dataclass(frozen=True)
class Presentation:
    """What the download answers with."""

    media_type: str
    file_name: str
    disposition: str


def present(*, mime: str | None, number: str, evidence_id: int) -> Presentation:
    """The media type, generated file name and disposition for one evidence file."""
    media_type = cleaning.mime(mime) or "application/octet-stream"
    main = media_type.split("/", 1)[0]
    inline = media_type not in NEVER_INLINE and (
        main in INLINE_MAIN_TYPES or media_type in INLINE_TYPES
    )
    extension = EXTENSIONS.get(media_type, "bin")
    safe_number = "".join(ch for ch in number if ch.isascii() and ch.isalnum())[:32]
    return Presentation(
        # A type that is not shown is not announced either: the browser only saves it.
        media_type=media_type if inline else "application/octet-stream",
        file_name=f"evidence-{safe_number}-{evidence_id}.{extension}",
        disposition="inline" if inline else "attachment",
    )
