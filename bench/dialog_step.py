"""CPU of the dialog alone: one complete intake conversation through ``intake.step``.

Usage: ``python -m bench.dialog_step [--rounds 300]``. Prints microseconds per message
of CPU time (the best of five runs; other load on the machine does not count): the
machine, the readers and the replies, no database.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from bench.script import COMPLAINT_LINES
from dialogs import intake
from dialogs.conversation import Conversation
from dialogs.events import TextMessage
from dialogs.options import DialogOptions
from dialogs.vocabulary import Platform

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
OPTIONS = DialogOptions()


def _events() -> list[TextMessage]:
    return [
        TextMessage(
            platform=Platform.WEB, user_id="bench", message_id=str(i), received_at=NOW,
            language_hint="en", text=line,
        )
        for i, line in enumerate(COMPLAINT_LINES)
    ]


def conversation(events: list[TextMessage]) -> Conversation:
    """One consumer's whole conversation, menu to the filing command."""
    conv = Conversation()
    for event in events:
        conv = intake.step(conv, event, now=NOW, options=OPTIONS).conversation
    return conv


def per_message(rounds: int) -> float:
    """Microseconds of dialog CPU per message, the best of five runs of ``rounds``."""
    events = _events()
    assert conversation(events).state == "confirm"
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(rounds):
            conversation(events)
        best = min(best, time.process_time() - started)
    return best / (rounds * len(events)) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    print(f"dialog: {per_message(args.rounds):.1f} µs per message")


if __name__ == "__main__":
    main()
