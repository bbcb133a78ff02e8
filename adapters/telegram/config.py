"""What the Telegram channel needs to know of a deployment (the app fills it from settings)."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.vocabulary import DEFAULT_LANGUAGE, Language


@dataclass(frozen=True)
class TelegramConfig:
    """One bot.

    Attributes:
        token: the bot token.
        api_base_url, file_base_url: Telegram's own, or a local fake or Bot API server.
        webhook_url: where Telegram posts updates; without it the channel long-polls.
        webhook_secret: checked in ``X-Telegram-Bot-Api-Secret-Token`` when set.
        messages_per_second: the bot's overall sending rate.
        language: the default language of notes the channel writes itself.
        redis_url: pace sending across processes through Redis.
    """

    token: str
    api_base_url: str | None = None
    file_base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    messages_per_second: int = 29
    language: Language = DEFAULT_LANGUAGE
    redis_url: str | None = None
