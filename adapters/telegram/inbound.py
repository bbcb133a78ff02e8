"""Telegram updates into neutral events. Pure: no I/O.

Private chats only: group and channel posts are answered (groups) or ignored
(channels) by design, and edited messages are ignored — an edit of an answer that was
already applied cannot be applied again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, Message, Update
from telegram.ext import filters

from adapters.telegram import shape
from adapters.telegram.outbound import decode_callback
from dialogs import cleaning
from dialogs.events import (
    ChoicePressed,
    ContactShared,
    InboundEvent,
    LocationMessage,
    MediaKind,
    MediaMessage,
    TextMessage,
    Unsupported,
)
from dialogs.vocabulary import Language, Platform, supported


@dataclass(frozen=True)
class Ignored:
    """An update the bot does not step the dialog for; ``reply_to`` gets a short note."""

    reason: str
    reply_to: int | None = None


def message_key(update_id: int) -> str:
    """The dedupe key: Telegram redelivers an update with the same ``update_id``."""
    return f"tg:{update_id}"


def language_hint(code: str | None) -> Language | None:
    """``language_code`` of the user, when it is one of ours (else the engine's default)."""
    return supported(code)


# The update kinds the bot asks for (allowed_updates) and those it answers by design.
READ = frozenset(
    {"message", "edited_message", "channel_post", "edited_channel_post", "callback_query"}
)


def parse(data: dict[str, Any], bot: Bot) -> tuple[Update | None, InboundEvent | Ignored]:
    """The update and what it means for the dialog.

    Kinds the bot does not use are ignored unparsed: a newer Bot API may send shapes
    this library version cannot read, and Telegram must still get its 200.

    Raises:
        ValueError: the JSON is not a Telegram update.
    """
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise ValueError("not a Telegram update")
    shape.check(data)
    kinds = READ.intersection(data)
    if not kinds:
        return None, Ignored(f"update kind not used: {sorted(set(data) - {'update_id'})}")
    update = Update.de_json(data, bot)
    return update, to_event(update)


def to_event(update: Update) -> InboundEvent | Ignored:
    """The neutral event for an update, or why it is ignored."""
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        if message is None or message.chat.type != "private":
            return Ignored("callback outside a private chat")
        if message.chat.id != query.from_user.id:
            # A keyboard that belongs to another consumer's chat: stepping the presser's
            # dialog would send their replies into someone else's chat.
            return Ignored("callback from another user's keyboard")
        step, choice = decode_callback(cleaning.one_line(query.data or ""))
        return ChoicePressed(
            platform=Platform.TELEGRAM,
            user_id=str(query.from_user.id),
            message_id=message_key(update.update_id),
            received_at=datetime.now(UTC),
            language_hint=language_hint(query.from_user.language_code),
            choice_id=choice,
            step=step,
        )
    if update.edited_message is not None:
        return Ignored("edited message")
    if update.channel_post is not None or update.edited_channel_post is not None:
        return Ignored("channel post")
    message = update.message
    if message is None:
        return Ignored(f"update kind not used: {sorted(update.to_dict())}")
    if message.chat.type != "private":
        return Ignored("group chat", reply_to=message.chat.id)
    if is_service_message(update, message):
        # Telegram reports pins, timers, backgrounds, gifts, a website login… as messages
        # from the consumer; answering them would be noise and must not move the dialog.
        return Ignored("service message")
    return _message_event(update.update_id, message)


# Message fields that carry something the consumer sent (anything the bot can read, or
# answers politely that it cannot).
_CONTENT = (
    "text", "photo", "document", "voice", "audio", "video", "video_note", "animation",
    "sticker", "location", "venue", "contact", "poll", "dice", "game", "story", "invoice",
    "paid_media", "checklist",
)


def is_service_message(update: Update, message: Message) -> bool:
    """A service message: python-telegram-bot's status updates, or a newer kind of one.

    Kinds newer than the library arrive only in ``api_kwargs``; a message with such a
    field and none of the content fields is a service message too.
    """
    if filters.StatusUpdate.ALL.check_update(update):
        return True
    has_content = any(getattr(message, name, None) for name in _CONTENT)
    return bool(message.api_kwargs) and not has_content


def _message_event(update_id: int, message: Message) -> InboundEvent:
    user = message.from_user
    base: dict[str, Any] = {
        "platform": Platform.TELEGRAM,
        "user_id": str(message.chat.id),
        "message_id": message_key(update_id),
        "received_at": message.date.astimezone(UTC) if message.date else datetime.now(UTC),
        "language_hint": language_hint(user.language_code if user else None),
    }
    if message.text is not None:
        return TextMessage(**base, text=cleaning.free_text(message.text))
    media = _media(message)
    if media is not None:
        kind, file, name, mime = media
        if not cleaning.is_identifier(file.file_id, cleaning.PLATFORM_REF):
            raise ValueError("not a Telegram file_id")
        return MediaMessage(
            **base,
            kind=kind,
            platform_ref=file.file_id,
            size=file.file_size if isinstance(file.file_size, int) else None,
            file_name=cleaning.name(name, cleaning.FILE_NAME),
            mime=cleaning.mime(mime),
            caption=cleaning.free_text(message.caption) if message.caption else None,
        )
    if message.location is not None:
        return LocationMessage(
            **base,
            latitude=message.location.latitude,
            longitude=message.location.longitude,
            label=cleaning.name(message.venue.address, cleaning.LABEL) if message.venue else None,
        )
    if message.contact is not None:
        contact = message.contact
        own = user is not None and contact.user_id == user.id
        name = cleaning.name(" ".join(p for p in (contact.first_name, contact.last_name) if p), 100)
        phone = cleaning.one_line(contact.phone_number)
        return ContactShared(**base, phone=phone, name=name, is_own=own)
    return Unsupported(**base, description="telegram message without usable content")


def _media(message: Message) -> tuple[MediaKind, Any, str | None, str | None] | None:
    if message.photo:
        # Telegram sends several sizes; the last is the largest.
        return MediaKind.PHOTO, message.photo[-1], None, "image/jpeg"
    if message.document is not None:
        doc = message.document
        return MediaKind.DOCUMENT, doc, doc.file_name, doc.mime_type
    if message.voice is not None:
        return MediaKind.AUDIO, message.voice, None, message.voice.mime_type
    if message.audio is not None:
        return MediaKind.AUDIO, message.audio, message.audio.file_name, message.audio.mime_type
    if message.video is not None:
        return MediaKind.VIDEO, message.video, message.video.file_name, message.video.mime_type
    if message.video_note is not None:
        return MediaKind.VIDEO, message.video_note, None, "video/mp4"
    return None
