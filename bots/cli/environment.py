"""What every ``weiquan`` command starts from: checked settings, logs, the schema."""

from __future__ import annotations

from bots.ops import logs, preflight
from bots.settings import Settings


def load_settings() -> Settings:
    """The settings, checked as at start-up, with logging configured at their level."""
    settings = preflight.load_settings()
    logs.configure(settings.log_level)
    return settings


def upgrade_schema(settings: Settings) -> None:
    """Bring the database to the newest schema (SQLite commands do it themselves)."""
    from storage.migrate import upgrade

    upgrade(settings.database_url)
