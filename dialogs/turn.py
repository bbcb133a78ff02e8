"""The working state of one dialog step: what the step functions read and append to."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dialogs.clock import local_date
from dialogs.commands import Command
from dialogs.conversation import Conversation, StepResult
from dialogs.events import Inbound
from dialogs.options import DialogOptions
from dialogs.replies import Reply
from dialogs.texts import LANGUAGES, t
from dialogs.vocabulary import DEFAULT_LANGUAGE, supported

#: Answers keys that belong to the draft being filled in.
DRAFT_KEYS = (
    "draft", "type", "done_steps", "editing", "evidence_count", "contact_mode",
    "resume_state", "cancel_return", "resume_new", "gate_from",
)


#: The type each answers key must have; anything else (an old or hand-edited row) is
#: dropped rather than allowed to crash a step.
_ANSWER_TYPES: dict[str, type | tuple[type, ...]] = {
    "draft": dict, "type": str, "done_steps": list, "editing": bool, "evidence_count": int,
    "contact_mode": str, "resume_state": str, "cancel_return": str, "lang_return": str,
    "return_to": str, "invalid": int, "listed": list, "viewing": dict, "rating_score": int,
    "resume_new": str, "link_return": str, "link_pending": dict, "requests": list,
    "reply_window": dict,
    "gate_from": str,
    "data_return": str, "consent_cases": list,
    "offer": dict, "offer_return": str, "consent": dict, "consent_return": str,
}


def sanitize(answers: object) -> dict[str, Any]:
    """A deep copy of stored answers with every known key of the expected type."""
    if not isinstance(answers, dict):
        return {}
    clean = copy.deepcopy(answers)
    for key, expected in _ANSWER_TYPES.items():
        if key in clean and clean[key] is not None and not isinstance(clean[key], expected):
            del clean[key]
    return clean


@dataclass
class Turn:
    """A mutable scratch pad for one step; :meth:`result` freezes it."""

    state: str
    answers: dict[str, Any]
    language: str
    language_chosen: bool
    now: datetime
    options: DialogOptions
    replies: list[Reply] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    initial_state: str = ""
    # Set when the state rejected the message (dialogs/answers.invalid): a case's reply
    # window may still take it (dialogs/case_reply.py).
    rejected: bool = False

    def __post_init__(self) -> None:
        self.initial_state = self.initial_state or self.state

    @classmethod
    def begin(
        cls,
        conv: Conversation,
        *,
        now: datetime,
        options: DialogOptions,
        event: Inbound | None = None,
    ) -> Turn:
        """Start a turn from a stored conversation, choosing the language to answer in."""
        answers = sanitize(conv.answers)
        language = conv.language if conv.language in LANGUAGES else None
        if not conv.language_chosen:
            hint = supported(event.language_hint) if event is not None else None
            if hint:
                language = hint
            elif conv.updated_at is None or language is None:
                language = supported(options.default_language)
        return cls(
            state=str(conv.state or "start"),
            answers=answers,
            language=language or DEFAULT_LANGUAGE,
            language_chosen=bool(conv.language_chosen),
            now=now,
            options=options,
        )

    def t(self, key: str, **values: Any) -> str:
        """A catalog text in this turn's language."""
        return t(self.language, key, **values)

    def say(self, key: str, **values: Any) -> None:
        """Append a plain text reply from the catalog."""
        self.replies.append(Reply(self.t(key, **values)))

    def today(self) -> date:
        """The consumer's local date (``WEIQUAN_TIMEZONE``; naive ``now`` counts as UTC)."""
        return local_date(self.now)

    @property
    def draft(self) -> dict[str, Any]:
        """The draft answers (created on first use)."""
        draft = self.answers.get("draft")
        if not isinstance(draft, dict):
            draft = {}
            self.answers["draft"] = draft
        return draft

    def clear_draft(self) -> None:
        """Forget the draft and everything that belongs to it."""
        for key in DRAFT_KEYS:
            self.answers.pop(key, None)
        self.answers["invalid"] = 0

    def result(self) -> StepResult:
        """Freeze the turn into the StepResult the engine stores."""
        if self.state != self.initial_state:
            # "Three invalid answers in a row" counts within one question only.
            self.answers["invalid"] = 0
        conv = Conversation(
            state=self.state,
            answers=self.answers,
            language=self.language,
            language_chosen=self.language_chosen,
            updated_at=self.now,
        )
        return StepResult(conv, tuple(self.replies), tuple(self.commands))
