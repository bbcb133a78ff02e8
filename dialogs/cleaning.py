"""Text cleaning at the edges: what any channel hands in is made safe to store.

PostgreSQL refuses NUL in text (SQLSTATE 22021) and values longer than their column
(22001); either aborts the transaction, the webhook answers 503 and the platform
redelivers the same message forever. SQLite and the JSON encoder choke on lone
surrogates. Adapters and request models therefore clean every value on the way in:

- free text (messages, captions, notes) keeps its line breaks and tabs, loses every other
  control character and lone surrogate;
- names (file names, titles, labels) become one line and are cut to their column with an
  ellipsis, so the message is still recorded;
- identifiers are never repaired: one with a control character or over its limit is not
  from the platform and is refused (4xx).

Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"
# Longest values for the columns the channels write (storage/models.py).
FILE_NAME = 200
MIME = 100
PLATFORM_REF = 500
LABEL = 300

_LAYOUT = frozenset("\n\t")
_MIME = re.compile(r"^[\w!#$&^.+-]{1,63}/[\w!#$&^.+-]{1,63}$", re.ASCII)


def _drop(ch: str) -> bool:
    """Control characters (C0, DEL, C1) and lone surrogates."""
    return unicodedata.category(ch) in ("Cc", "Cs")


def has_controls(value: str, *, allow_layout: bool = False) -> bool:
    """True when ``value`` holds a control character or a lone surrogate.

    Args:
        value: the text to look at.
        allow_layout: line breaks and tabs do not count.
    """
    return any(_drop(ch) and not (allow_layout and ch in _LAYOUT) for ch in value)


def free_text(value: str) -> str:
    """Free text without control characters; ``\\n`` and ``\\t`` stay, ``\\r`` becomes ``\\n``."""
    if not has_controls(value, allow_layout=True) and "\r" not in value:
        return value  # the common case: nothing to copy
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in _LAYOUT or not _drop(ch))


def one_line(value: str) -> str:
    """Text on one line: line breaks and tabs become spaces, other controls go, trimmed."""
    out = []
    for ch in value:
        if ch in "\n\r\t":
            out.append(" ")
        elif not _drop(ch):
            out.append(ch)
    return " ".join("".join(out).split())


def fit(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    if len(value) <= limit:
        return value
    return value[: limit - 1] + ELLIPSIS


def name(value: object, limit: int) -> str | None:
    """A one-line name (file name, title, label) that fits ``limit``; None when empty."""
    if not isinstance(value, str):
        return None
    cleaned = fit(one_line(value), limit)
    return cleaned or None


def mime(value: object) -> str | None:
    """A MIME type as ``type/subtype`` (parameters dropped), or None when it is not one."""
    if not isinstance(value, str):
        return None
    main = value.split(";", 1)[0].strip().lower()
    return main if len(main) <= MIME and _MIME.match(main) else None


def is_identifier(value: str, limit: int) -> bool:
    """An identifier a platform could have sent: 1..``limit`` characters, no controls."""
    return 0 < len(value) <= limit and not has_controls(value)
