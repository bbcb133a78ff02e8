""""Today", "yesterday" and ``11月24日`` are read on the local (Beijing) day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs.conversation import Conversation
from dialogs.events import TextMessage
from dialogs.intake import DialogOptions, step
from dialogs.vocabulary import Platform

BEFORE_MIDNIGHT = datetime(2026, 11, 23, 15, 59, tzinfo=UTC)  # 23:59 on the 23rd, Beijing
AFTER_MIDNIGHT = datetime(2026, 11, 23, 16, 1, tzinfo=UTC)  # 00:01 on the 24th
NEW_YEAR = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 2027-01-01


def answer(text: str, now: datetime) -> tuple[str | None, str]:
    """The stored incident date (or None) and the bot's first reply."""
    conv = Conversation(
        state="incident_date",
        answers={"type": "complaint", "draft": {"type": "complaint"}},
        language="en",
        language_chosen=True,
        updated_at=now,
    )
    event = TextMessage(
        platform=Platform.WEB, user_id="u", message_id="m", received_at=now, text=text
    )
    result = step(conv, event, now=now, options=DialogOptions())
    draft = result.conversation.answers.get("draft") or {}
    return draft.get("incident_date"), result.replies[0].text


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("today", BEFORE_MIDNIGHT, "2026-11-23"),
        ("today", AFTER_MIDNIGHT, "2026-11-24"),
        ("yesterday", AFTER_MIDNIGHT, "2026-11-23"),
        ("昨天", BEFORE_MIDNIGHT, "2026-11-22"),
        ("11月24日", AFTER_MIDNIGHT, "2026-11-24"),
        # Still the 23rd in Beijing: the most recent 24 November not in the future.
        ("11月24日", BEFORE_MIDNIGHT, "2025-11-24"),
        ("2026-11-24", BEFORE_MIDNIGHT, None),  # a full date in the future is refused
        ("12月31日", NEW_YEAR, "2026-12-31"),  # 00:30 on New Year's Day: last year's
        ("today", NEW_YEAR, "2027-01-01"),
    ],
)
def test_dates_are_read_on_the_local_day(text: str, now: datetime, expected: str | None) -> None:
    stored, reply = answer(text, now)
    assert stored == expected
    if expected is None:
        assert "future" in reply
