"""Structured log lines (one JSON object per line) with personal data masked.

Phone numbers that slip into a message are masked by pattern, and fields named like
personal data are masked by name, so a log line never carries a consumer's number.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

PHONE = re.compile(r"(?<!\d)(\+?\d{1,3}[ -]?)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
PERSONAL_FIELDS = frozenset({"phone", "contact_phone", "name", "contact_name", "password"})
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}


def mask_text(text: str) -> str:
    """Mask mainland mobile numbers inside free text."""
    return PHONE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(4)}", text)


class JsonFormatter(logging.Formatter):
    """Formats records as JSON lines; ``extra=`` fields become keys, personal ones masked."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask_text(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key in _RESERVED or key.startswith("_"):
                continue
            if key in PERSONAL_FIELDS:
                line[key] = "***"
            elif isinstance(value, str):
                line[key] = mask_text(value)
            else:
                line[key] = value
        if record.exc_info:
            line["exc"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: str = "INFO") -> None:
    """Send every log line to stderr as JSON."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # transitions logs every state change at INFO: far too chatty for one line per message.
    for noisy in ("uvicorn.access", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
