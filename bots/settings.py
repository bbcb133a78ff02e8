"""Configuration: environment variables with the prefix ``WEIQUAN_`` (also read from ``.env``).

The defaults run everything on one machine with nothing installed but the package:
SQLite and a local evidence folder under ``./var``.
"""

from __future__ import annotations

import re
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dialogs.clock import parse_zone
from dialogs.vocabulary import DEFAULT_LANGUAGE, Language

# The MP console's EncodingAESKey: 43 base64 characters, which are exactly a 32-byte key.
_AES_KEY = re.compile(r"[A-Za-z0-9+/]{43}")


class Settings(BaseSettings):
    """Every setting of a Weiquan deployment; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="WEIQUAN_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./var/weiquan.db"
    db_pool_size: int = Field(default=20, ge=1, le=500)
    evidence_dir: Path = Path("./var/evidence")
    secret_key: str | None = None
    var_dir: Path = Path("./var")
    language: Language = DEFAULT_LANGUAGE
    # Every date people see and every deadline is read in this zone (dialogs/clock.py).
    timezone: str = "Asia/Shanghai"
    # Working-day clocks: dialogs/flow.yaml has the table; these override single entries.
    accept_workdays: int | None = Field(default=None, ge=1, le=365)
    resolve_workdays: int | None = Field(default=None, ge=1, le=365)
    mediation_workdays: int | None = Field(default=None, ge=1, le=365)
    answer_workdays: int | None = Field(default=None, ge=1, le=365)
    holidays_file: Path | None = None
    draft_resume_hours: int = Field(default=24, ge=1)
    max_evidence_bytes: int = 20 * 1024 * 1024
    max_evidence_files: int = 9
    # Web chat uploads one consumer may make in any hour (bots/web/upload_limit.py).
    uploads_per_hour: int = Field(default=30, ge=1, le=10_000)
    public_base_url: str = "http://127.0.0.1:8000"
    # Days a progress-page link in a notice stays valid.
    progress_link_days: int = Field(default=30, ge=1, le=365)
    # Closed cases are anonymised this many years after closing (bots/delivery/background.py),
    # unless under a legal hold.
    retention_years: int = Field(default=3, ge=1, le=100)

    # WeChat Official Account (channel off unless token/app id are set)
    wechat_token: str | None = None
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None
    wechat_aes_key: str | None = None
    wechat_api_base_url: str | None = None
    wechat_template_id: str | None = None
    # Which notice fact fills which keyword field of the template, e.g.
    # "character_string1=number,phrase2=status,time3=date,thing4=summary".
    wechat_template_fields: str | None = None
    # A WeChat API call unanswered this long fails and is retried later.
    wechat_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    wechat_replay_window: int = Field(default=300, ge=0, le=86400)

    # Telegram (channel off unless a token is set)
    telegram_token: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base_url: str | None = None
    telegram_file_base_url: str | None = None
    # Telegram allows about 30 messages/s per bot (29 keeps clear of 429s); a bot with
    # paid broadcasts may send up to 1,000/s.
    telegram_messages_per_second: int = Field(default=29, ge=1, le=1000)

    redis_url: str | None = None
    # Merchants (ODR): the merchant's answer clock, how long an offer stays open, how
    # long an accepted offer has to be carried out (working days), the complaint-spike
    # alert's threshold, and forwarding ODR merchants' cases as soon as they are accepted.
    merchant_answer_workdays: int = Field(default=10, ge=1, le=365)
    offer_workdays: int = Field(default=5, ge=1, le=365)
    settle_workdays: int = Field(default=7, ge=1, le=365)
    spike_min: int = Field(default=5, ge=1, le=100_000)
    odr_forward_on_accept: bool = False

    # Service
    host: str = "127.0.0.1"
    port: int = 8000
    run_worker: bool = True
    worker_poll_seconds: float = 1.0
    # Delivery worker (bots/delivery/worker.py): a notice is dead after this many failed tries;
    # a claimed row comes back to the other workers when its lease runs out.
    # 16 attempts with backoff capped at an hour ride out about six hours of platform outage.
    outbox_max_attempts: int = Field(default=16, ge=1, le=100)
    outbox_lease_seconds: float = Field(default=120.0, gt=0)
    outbox_batch_size: int = Field(default=20, ge=1, le=1000)
    evidence_batch_size: int = Field(default=5, ge=1, le=100)
    log_level: str = "INFO"

    @field_validator("wechat_aes_key", "redis_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # ``WEIQUAN_WECHAT_AES_KEY=`` in an env file means "not set", not "the empty key".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("wechat_aes_key")
    @classmethod
    def _valid_aes_key(cls, value: str | None) -> str | None:
        # wechatpy only fails on the first message; a typo must stop the start instead.
        if value is None:
            return None
        value = value.strip()
        if not _AES_KEY.fullmatch(value):
            raise ValueError(
                f"must be the EncodingAESKey from the MP console: 43 base64 characters "
                f"(a 32-byte key), got {len(value)} characters"
            )
        return value

    @model_validator(mode="after")
    def _safe_mode_needs_app_id(self) -> Settings:
        # Every ciphertext names the AppID it is meant for; without it nothing decrypts.
        if self.wechat_aes_key and not self.wechat_app_id:
            raise ValueError("WEIQUAN_WECHAT_AES_KEY is set but WEIQUAN_WECHAT_APP_ID is not")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        parse_zone(value)
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def wechat_enabled(self) -> bool:
        return bool(self.wechat_token)

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured secret key, or one generated once into ``var_dir/secret_key``."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # O_EXCL: two processes starting at once must agree on one key.
        try:
            with path.open("x") as fh:
                fh.write(key)
            path.chmod(0o600)
        except FileExistsError:
            return path.read_text().strip()
        return key

