"""Configuration: environment variables with the prefix ``WEIQUAN_`` (also read from ``.env``).

The defaults run everything on one machine with nothing installed but the package:
SQLite and a local evidence folder under ``./var``.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Language = Literal["zh-CN", "en"]


class Settings(BaseSettings):
    """Every setting of a Weiquan deployment; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="WEIQUAN_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./var/weiquan.db"
    db_pool_size: int = Field(default=20, ge=1, le=500)
    evidence_dir: Path = Path("./var/evidence")
    secret_key: str | None = None
    var_dir: Path = Path("./var")
    language: Language = "zh-CN"
    accept_workdays: int = Field(default=7, ge=1, le=365)
    resolve_workdays: int = Field(default=60, ge=1, le=365)
    holidays_file: Path | None = None
    draft_resume_hours: int = Field(default=24, ge=1)
    max_evidence_bytes: int = 20 * 1024 * 1024
    max_evidence_files: int = 9
    public_base_url: str = "http://127.0.0.1:8000"
    # Days a progress-page link in a notice stays valid.
    progress_link_days: int = Field(default=30, ge=1, le=365)

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
    wechat_replay_window: int = 300

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

    # Service
    host: str = "127.0.0.1"
    port: int = 8000
    run_worker: bool = True
    worker_poll_seconds: float = 1.0
    # Delivery worker (bots/worker.py): a notice is dead after this many failed tries;
    # a claimed row comes back to the other workers when its lease runs out.
    # 16 attempts with backoff capped at an hour ride out about six hours of platform outage.
    outbox_max_attempts: int = Field(default=16, ge=1, le=100)
    outbox_lease_seconds: float = Field(default=120.0, gt=0)
    outbox_batch_size: int = Field(default=20, ge=1, le=1000)
    evidence_batch_size: int = Field(default=5, ge=1, le=100)
    log_level: str = "INFO"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def wechat_enabled(self) -> bool:
        return bool(self.wechat_token)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token)

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


def get_settings() -> Settings:
    """Settings read from the environment now (not cached: tests build their own)."""
    return Settings()
