"""Downloads as OpenAPI documents them: bytes, with the headers that vouch for them."""

from __future__ import annotations

from typing import Any

_BINARY = {"schema": {"type": "string", "format": "binary"}}

#: An evidence file: served with the type it was stored as.
FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the file (images, audio and video inline, anything else as a download)",
        "content": {"application/octet-stream": _BINARY},
        "headers": {
            "X-Content-SHA256": {
                "description": "the sha256 of the file as received",
                "schema": {"type": "string"},
            }
        },
    }
}

#: A dossier; the manifest hash is a header.
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the dossier",
        "content": {"application/pdf": _BINARY},
        "headers": {
            "X-Dossier-SHA256": {
                "description": "the hash of the dossier's manifest (weiquan dossier verify)",
                "schema": {"type": "string"},
            }
        },
    }
}
