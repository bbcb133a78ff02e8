"""The conversation a dialog step reads, and what the step produced.

:class:`Conversation` is what the dialogs need of a stored conversation (state,
answers, language); :class:`StepResult` is the new conversation with the replies and
commands of one step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogs.commands import Command
from dialogs.replies import Reply
from dialogs.vocabulary import DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Conversation:
    """What the dialogs need of a stored conversation."""

    state: str = "start"
    answers: dict[str, Any] = field(default_factory=dict)
    language: str = DEFAULT_LANGUAGE
    language_chosen: bool = False
    updated_at: datetime | None = None


@dataclass(frozen=True)
class StepResult:
    """What one dialog step produced."""

    conversation: Conversation
    replies: tuple[Reply, ...] = ()
    commands: tuple[Command, ...] = ()

