"""Inbound events: what adapters turn platform messages into.

An adapter reads a WeChat, Telegram, web or terminal message and answers one of these
(:data:`InboundEvent`); the engine hands it to the dialog with the conversation
(dialogs/conversation.py), which answers replies (dialogs/replies.py) and commands
(dialogs/commands.py). Each is a frozen dataclass with no reference to a platform
library, a session or a global.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dialogs.vocabulary import Platform


class MediaKind(StrEnum):
    """Kinds of evidence a consumer can send."""

    PHOTO = "photo"
    DOCUMENT = "document"
    AUDIO = "audio"
    VIDEO = "video"


@dataclass(frozen=True, kw_only=True)
class Inbound:
    """Common part of every inbound event.

    Attributes:
        platform: the channel the consumer used.
        user_id: the consumer's id on that platform (OpenID, chat id, web user name).
        message_id: the platform's delivery key; a repeat is answered from the dedupe table.
        received_at: when the platform says the message was sent (timezone-aware UTC).
        language_hint: a platform's guess of the consumer's language (``zh-CN`` / ``en``).
    """

    platform: Platform
    user_id: str
    message_id: str
    received_at: datetime
    language_hint: str | None = None


@dataclass(frozen=True, kw_only=True)
class TextMessage(Inbound):
    """Typed text, a command such as ``/start``, or text recognised from voice."""

    text: str
    from_voice: bool = False


@dataclass(frozen=True, kw_only=True)
class ChoicePressed(Inbound):
    """A button pressed on a keyboard sent for ``step`` (Telegram callback, web button)."""

    choice_id: str
    step: str | None = None


@dataclass(frozen=True, kw_only=True)
class MediaMessage(Inbound):
    """A file sent as evidence.

    Either ``platform_ref`` is set (WeChat MediaId, Telegram file_id: the worker fetches
    it later) or ``blob_key``/``sha256`` are set (the adapter already stored the bytes,
    as the web upload does).
    """

    kind: MediaKind
    platform_ref: str | None = None
    file_name: str | None = None
    mime: str | None = None
    size: int | None = None
    blob_key: str | None = None
    sha256: str | None = None
    caption: str | None = None
    recognised_text: str | None = None


@dataclass(frozen=True, kw_only=True)
class LocationMessage(Inbound):
    """A shared location; its label is a usable merchant address."""

    latitude: float
    longitude: float
    label: str | None = None


@dataclass(frozen=True, kw_only=True)
class ContactShared(Inbound):
    """A phone number shared by the platform (only the sender's own is accepted)."""

    phone: str
    name: str | None = None
    is_own: bool = True


@dataclass(frozen=True, kw_only=True)
class Subscribed(Inbound):
    """The consumer followed the account (WeChat) or started the bot.

    ``again`` is set for a consumer who already follows and scanned a code (WeChat
    SCAN): they are not new, and a draft in progress goes on.
    """

    scene: str | None = None
    again: bool = False


@dataclass(frozen=True, kw_only=True)
class Unsubscribed(Inbound):
    """The consumer unfollowed the account or blocked the bot."""


@dataclass(frozen=True, kw_only=True)
class MenuClicked(Inbound):
    """A platform menu item: ``complain``, ``my_complaints`` or ``help``."""

    key: str


@dataclass(frozen=True, kw_only=True)
class NoticeConsent(Inbound):
    """The consumer accepted or refused subscription notices (per template id).

    ``consents`` pairs a template id with ``accept`` or ``reject``; nothing is answered.
    """

    consents: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class Unsupported(Inbound):
    """Anything we cannot use (stickers, unknown types): answered politely."""

    description: str = ""


InboundEvent = (
    TextMessage
    | ChoicePressed
    | MediaMessage
    | LocationMessage
    | ContactShared
    | Subscribed
    | Unsubscribed
    | MenuClicked
    | NoticeConsent
    | Unsupported
)

