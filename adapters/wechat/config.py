"""What the WeChat channel needs to know of a deployment (the app fills it from settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WeChatConfig:
    """One Official Account.

    Attributes:
        token: the MP console token; the webhook answers only with it.
        app_id, app_secret: API credentials; pushes and media downloads need both.
        aes_key: the EncodingAESKey; with it only safe-mode requests are accepted.
        api_base_url: WeChat's API, or a local fake in tests.
        template_id, template_fields: the progress-notice template and its field mapping.
        timeout_seconds: before an unanswered API call counts as failed.
        replay_window: seconds a signed timestamp stays valid; 0 turns the check off.
        redis_url: share the access token through Redis instead of the database.
    """

    token: str
    app_id: str | None = None
    app_secret: str | None = None
    aes_key: str | None = None
    api_base_url: str | None = None
    template_id: str | None = None
    template_fields: str | None = None
    timeout_seconds: float = 15.0
    replay_window: int = 300
    redis_url: str | None = None

    @property
    def can_push(self) -> bool:
        """API credentials are there: customer-service and template messages, media."""
        return bool(self.app_id and self.app_secret)
