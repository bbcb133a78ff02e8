"""Read the answer to a step of the flow, store it in the draft and move on.

One reader per step kind of flow.yaml. A reader returns an :class:`Outcome`: a value to
store, an error key for a specific hint, or "pending" when a command was emitted and
the engine's result will answer (evidence).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dialogs.commands import RecordEvidence
from dialogs.events import ContactShared, InboundEvent, LocationMessage, MediaMessage, TextMessage
from dialogs.flow import Step, load_flow
from dialogs.keywords import is_command_word, is_done, is_no, is_skip, is_yes
from dialogs.machine import fire
from dialogs.questions import ask, choices_for, help_text, question
from dialogs.replies import Reply
from dialogs.turn import Turn
from dialogs.validators import (
    match_choice,
    match_choices,
    parse_amount,
    parse_date,
    parse_phone,
    parse_text,
)


@dataclass(frozen=True)
class Outcome:
    """What a reader made of the consumer's message."""

    value: Any = None
    error: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    pending: bool = False


_UNEXPECTED = {
    MediaMessage: "unexpected_media",
    LocationMessage: "unexpected_location",
    ContactShared: "unexpected_contact",
}


def _unexpected(event: InboundEvent) -> Outcome:
    return Outcome(error=_UNEXPECTED.get(type(event), "unsupported"))


def _read_choice(turn: Turn, step: Step, event: InboundEvent) -> Outcome:
    if not isinstance(event, TextMessage):
        return _unexpected(event)
    ident = match_choice(event.text, choices_for(turn, step.name))
    if ident is None and step.kind == "yesno":
        ident = "yes" if is_yes(event.text) else "no" if is_no(event.text) else None
    if ident is None:
        return Outcome(error="bad_choice")
    if step.kind == "yesno":
        return Outcome(ident == "yes")
    return Outcome(ident)


def _read_demands(turn: Turn, step: Step, event: InboundEvent) -> Outcome:
    if not isinstance(event, TextMessage):
        return _unexpected(event)
    ids = match_choices(event.text, choices_for(turn, step.name))
    return Outcome(ids) if ids else Outcome(error="bad_choices")


def _read_text(turn: Turn, step: Step, event: InboundEvent) -> Outcome:
    if isinstance(event, LocationMessage) and step.params.get("accepts_location"):
        label = (event.label or "").strip()
        return Outcome(label[:300] or f"{event.latitude:.5f},{event.longitude:.5f}")
    if not isinstance(event, TextMessage):
        return _unexpected(event)
    if not step.required and (is_skip(event.text) or event.text.strip() == "skip"):
        return Outcome(None)
    if step.params.get("refuse_command_words") and is_command_word(event.text):
        # A "done" or "1" meant for the previous question is not a name.
        return Outcome(error="command_word")
    low, high = int(step.params.get("min_length", 1)), int(step.params.get("max_length", 2000))
    value, error = parse_text(event.text, min_length=low, max_length=high)
    return Outcome(value, error, {"min": low, "max": high})


def _read_date(turn: Turn, step: Step, event: InboundEvent) -> Outcome:
    if not isinstance(event, TextMessage):
        return _unexpected(event)
    years = int(step.params.get("max_age_years", 20))
    text = event.text
    ident = match_choice(text, choices_for(turn, step.name))
    if ident is not None:
        text = ident
    value, error = parse_date(text, today=turn.today(), max_age_years=years)
    return Outcome(value, error, {"years": years})


def _read_amount(turn: Turn, step: Step, event: InboundEvent) -> Outcome:
    if not isinstance(event, TextMessage):
        return _unexpected(event)
    low = Decimal(str(step.params.get("min", "0")))
    high = Decimal(str(step.params.get("max", "100000000")))
    value, error = parse_amount(event.text, minimum=low, maximum=high)
    return Outcome(value, error)


def _read_phone(turn: Turn, step: Step, event: InboundEvent) -> Outcome:
    region = str(step.params.get("region", "CN"))
    if isinstance(event, ContactShared):
        if not event.is_own:
            return Outcome(error="not_own_contact")
        value, error = parse_phone(event.phone, region=region)
        if value and event.name and not turn.draft.get("contact_name"):
            turn.draft["contact_name"] = event.name.strip()[:50]
        return Outcome(value, error)
    if not isinstance(event, TextMessage):
        return _unexpected(event)
    value, error = parse_phone(event.text, region=region)
    return Outcome(value, error)


def _read_evidence(turn: Turn, step: Step, event: InboundEvent) -> Outcome:
    if isinstance(event, MediaMessage):
        count = int(turn.answers.get("evidence_count") or 0)
        if count >= turn.options.max_evidence_files:
            turn.say("evidence.limit", max=turn.options.max_evidence_files)
            turn.replies.append(question(turn))
            return Outcome(pending=True)
        turn.commands.append(RecordEvidence(event))
        return Outcome(pending=True)
    if not isinstance(event, TextMessage):
        return _unexpected(event)
    ident = match_choice(event.text, choices_for(turn, step.name))
    if ident in ("done", "skip") or is_done(event.text) or is_skip(event.text):
        return Outcome(None)
    return Outcome(error="evidence_text")


Reader = Callable[[Turn, Step, InboundEvent], Outcome]
READERS: dict[str, Reader] = {
    "category": _read_choice,
    "subcategory": _read_choice,
    "contact_mode": _read_choice,
    "yesno": _read_choice,
    "demands": _read_demands,
    "text": _read_text,
    "date": _read_date,
    "amount": _read_amount,
    "phone": _read_phone,
    "evidence": _read_evidence,
}


def invalid(turn: Turn, error: str, **values: Any) -> None:
    """Answer an invalid message with its hint, offer help after three, re-ask."""
    turn.rejected = True
    turn.say(f"error.{error}", **values)
    count = int(turn.answers.get("invalid") or 0) + 1
    if count >= 3:
        turn.replies.append(_help_reply(turn))
        count = 0
    turn.answers["invalid"] = count
    ask(turn)


def _help_reply(turn: Turn) -> Reply:
    return Reply(turn.t("help.three_invalid") + "\n" + help_text(turn))


def store(turn: Turn, step: Step, value: Any) -> None:
    """Keep a valid answer and advance with the machine's ``answer``."""
    if step.name == "contact_mode":
        turn.answers["contact_mode"] = value
    elif step.name != "evidence":
        if step.name == "category" and turn.draft.get("category") != value:
            # A new category invalidates the subcategory chosen under the old one.
            turn.draft.pop("subcategory", None)
            done = turn.answers.get("done_steps") or []
            turn.answers["done_steps"] = [s for s in done if s != "subcategory"]
        turn.draft[step.name] = value
    done_steps = list(turn.answers.get("done_steps") or [])
    if step.name not in done_steps:
        done_steps.append(step.name)
    turn.answers["done_steps"] = done_steps
    turn.answers["invalid"] = 0
    advance(turn)


def advance(turn: Turn) -> None:
    """Fire ``answer``: the next step, an admissibility question or the summary; ask it."""
    fire(turn, "answer")
    ask(turn)


def answer_step(turn: Turn, event: InboundEvent) -> None:
    """Handle a message sent while the turn is at a step of the flow."""
    step = load_flow().steps[turn.state]
    outcome = READERS[step.kind](turn, step, event)
    if outcome.pending:
        return
    if outcome.error is not None:
        invalid(turn, outcome.error, **outcome.values)
        return
    store(turn, step, outcome.value)
