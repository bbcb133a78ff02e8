"""The machine values everything else agrees on: platforms, languages and statuses.

Each vocabulary is a :class:`~enum.StrEnum`: a member *is* its stored string
(``ComplaintStatus.ACCEPTED == "accepted"``), renders as it in templates, JSON and
f-strings, and is what the database columns hold (``storage/models.py`` maps them as
``VARCHAR`` of the same length, so no value changed when they became types). A value
that is not a member is refused where it enters: a form, a query, a stored row.

:func:`supported` is the one reader of a language tag (a platform's hint, a page's
``?lang=``, a cookie); :meth:`Language.parse` adds the deployment's default for what
it does not recognise.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = [
    "DEFAULT_LANGUAGE",
    "PULL_PLATFORMS",
    "ComplaintStatus",
    "FetchStatus",
    "Language",
    "NoticeStatus",
    "Platform",
    "supported",
]


class Platform(StrEnum):
    """The channel a consumer talks to us on (``console`` is the terminal chat)."""

    WECHAT = "wechat"
    TELEGRAM = "telegram"
    WEB = "web"
    TERMINAL = "console"  # the terminal chat (`weiquan chat`); the stored value stays


#: Channels with no way to push: their notices ride along with the consumer's next reply
#: (and the web chat page also polls for them).
PULL_PLATFORMS: frozenset[Platform] = frozenset({Platform.WEB, Platform.TERMINAL})


# A tag's first subtag: ``zh`` of ``zh-Hant-TW``, ``en`` of ``en_GB``.
_PRIMARY = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


class Language(StrEnum):
    """A language the texts are written in (the catalogs of ``dialogs/locales/``)."""

    ZH_CN = "zh-CN"
    EN = "en"

    @classmethod
    def parse(cls, tag: str | None, default: Language) -> Language:
        """The language of ``tag``, or ``default`` (the deployment's) when it is not ours.

        ``zh``, ``zh_CN``, ``zh-Hant``, ``zh-TW`` → zh-CN; ``en``, ``en-US``, ``en_GB`` → en;
        ``fr``, an empty tag or garbage → ``default``.
        """
        return supported(tag) or default


#: The language of a deployment that names none (``WEIQUAN_LANGUAGE``).
DEFAULT_LANGUAGE = Language.ZH_CN

_BY_PRIMARY = {"zh": Language.ZH_CN, "en": Language.EN}


def supported(tag: str | None) -> Language | None:
    """Our language for a language tag (BCP 47, or POSIX with ``_``); None when not ours.

    Any Chinese tag (``zh``, ``zh-CN``, ``zh_CN``, ``zh-Hans``, ``zh-Hant``, ``zh-TW``)
    reads as zh-CN, the one Chinese catalog; any English tag as en. Every other
    language, an empty tag and anything that is not a tag give None.
    """
    if not tag:
        return None
    found = _PRIMARY.match(tag.strip())
    if found is None:
        return None
    return _BY_PRIMARY.get(found.group(1).lower())


class ComplaintStatus(StrEnum):
    """Where a complaint stands; the lifecycle (``dialogs/lifecycle.py``) has the moves."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MEDIATING = "mediating"
    TRANSFERRED = "transferred"
    RESOLVED = "resolved"
    FAILED = "failed"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class NoticeStatus(StrEnum):
    """Where a message pushed to a consumer stands (the outbox, ``storage/outbox.py``)."""

    PENDING = "pending"  # to send as soon as it is due
    SENDING = "sending"  # claimed by a worker under a lease
    SENT = "sent"
    RETRYING = "retrying"  # a passing failure: tried again at ``next_attempt_at``
    HELD = "held"  # waits for the consumer's next message (a platform window closed)
    DEAD = "dead"  # gave up after the last attempt
    UNDELIVERABLE = "undeliverable"  # the platform refused it for good


class FetchStatus(StrEnum):
    """Where the bytes of an evidence file stand (``storage/evidence_fetch.py``)."""

    PENDING = "pending"  # to be downloaded from the platform by the worker
    STORED = "stored"  # the bytes are in the blob store
    FAILED = "failed"  # the platform refused the download for good
    EXPIRED = "expired"  # the platform no longer keeps the file
    REFUSED = "refused"  # too large, or not a type kept as evidence
