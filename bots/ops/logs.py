"""Structured log lines (one JSON object per line) with personal data and secrets masked.

Phone numbers of any country that slip into a message are found with phonenumbers'
matcher and masked like everywhere else (``storage.crypto.mask_phone``); fields named
like personal data are masked by name; a Telegram bot token (httpx logs every request
URL, and the Bot API URL carries the token) never reaches the output.

``dict_config`` is the one logging setup: ``configure`` applies it in this process, and
``weiquan serve`` hands it to uvicorn, which applies it again in every worker process
(they do not inherit the parent's logging).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from datetime import UTC, datetime
from typing import Any

import phonenumbers

from storage.crypto import mask_phone

PERSONAL_FIELDS = frozenset({"phone", "contact_phone", "name", "contact_name", "password"})
# uvicorn adds ``color_message``, the message again with terminal colours.
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "color_message",
}
# Only text with seven or more digits can hold a phone number: skip the matcher otherwise.
_MAYBE_PHONE = re.compile(r"\d(?:\D{0,3}\d){6}")
# ``bot<id>:<secret>`` in Bot API URLs, and a bare token anywhere else.
_BOT_TOKEN = re.compile(r"(?<=bot)\d+:[A-Za-z0-9_-]+|\b\d{6,}:[A-Za-z0-9_-]{30,}")
# Chatty at INFO: transitions logs every state change, httpx every request URL (with the
# Telegram token in it), uvicorn every access, alembic every plugin it loads.
QUIET_LOGGERS = ("uvicorn.access", "transitions", "httpx", "httpcore", "alembic.runtime.plugins")


def redact_secrets(text: str) -> str:
    """Replace Telegram bot tokens with ``<token>``."""
    return _BOT_TOKEN.sub("<token>", text)


def mask_text(text: str) -> str:
    """Mask phone numbers (any country; no ``+`` reads as Chinese) and tokens in free text."""
    text = redact_secrets(text)
    if not _MAYBE_PHONE.search(text):
        return text
    parts: list[str] = []
    end = 0
    for match in phonenumbers.PhoneNumberMatcher(text, "CN"):
        parts += [text[end : match.start], mask_phone(match.raw_string)]
        end = match.end
    return "".join(parts) + text[end:]


class JsonFormatter(logging.Formatter):
    """Formats records as JSON lines; ``extra=`` fields become keys, personal ones masked."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
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
        # A token inside a non-string extra (a dict, an exception object) is caught here.
        return redact_secrets(json.dumps(line, ensure_ascii=False, default=str))


def dict_config(level: str = "INFO") -> dict[str, Any]:
    """The logging setup as a ``logging.config.dictConfig`` dictionary."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "bots.ops.logs.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            # uvicorn's own loggers keep no handlers of their own: everything goes to root.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            **{name: {"handlers": [], "level": "WARNING"} for name in QUIET_LOGGERS},
        },
    }


def configure(level: str = "INFO") -> None:
    """Send every log line of this process to stderr as JSON."""
    logging.config.dictConfig(dict_config(level))
