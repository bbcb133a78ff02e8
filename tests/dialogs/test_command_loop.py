"""The one command loop the engine and the dialog tests both drive."""

from __future__ import annotations

import pytest

from dialogs.command_loop import MAX_COMMANDS, CommandLoop
from dialogs.command_results import CommandResult, ConsentCases, Done
from dialogs.commands import Command, ListConsentCases, NoteInteraction, WithdrawConsent
from dialogs.conversation import Conversation, StepResult
from dialogs.options import DialogOptions
from dialogs.replies import Reply

from .helpers import NOW

OPTIONS = DialogOptions(default_language="en")
CONV = Conversation(state="menu", language="en")


def drive(loop: CommandLoop, answer: dict[type, CommandResult]) -> list[Command]:
    given: list[Command] = []
    for command in loop:
        given.append(command)
        loop.settle(answer.get(type(command), Done()))
    return given


def test_commands_come_in_order_and_follow_ups_after_those_waiting() -> None:
    first = Reply("before the commands")
    result = StepResult(CONV, (first,), (ListConsentCases(), NoteInteraction()))
    loop = CommandLoop(result, now=NOW, options=OPTIONS)

    given = drive(loop, {ListConsentCases: ConsentCases(("20261120000001",))})

    # One shared case: the dialog asks to withdraw it, after the command already waiting.
    assert given == [ListConsentCases(), NoteInteraction(), WithdrawConsent("20261120000001")]
    assert loop.carried == 3
    assert loop.replies[0] == first
    assert any("20261120000001" in r.text for r in loop.replies[1:])
    assert loop.runaway == ()


def test_a_step_without_commands_keeps_its_conversation_and_replies() -> None:
    result = StepResult(CONV, (Reply("hi"),))
    loop = CommandLoop(result, now=NOW, options=OPTIONS)

    assert drive(loop, {}) == []
    assert loop.conversation is CONV
    assert loop.replies == [Reply("hi")]


def test_a_flow_that_keeps_asking_stops_at_the_bound_and_says_what_was_left() -> None:
    # Answering every withdrawal with one more shared case makes the dialog ask again
    # and again: a faulty flow the loop must stop.
    endless = ConsentCases(("20261120000001",))
    result = StepResult(CONV, (), (ListConsentCases(),))
    loop = CommandLoop(result, now=NOW, options=OPTIONS)

    given = drive(loop, {ListConsentCases: endless, WithdrawConsent: endless})

    assert len(given) == loop.carried == MAX_COMMANDS
    assert loop.runaway == (WithdrawConsent("20261120000001"),)


def test_the_bound_counts_commands_given_up_front_too() -> None:
    result = StepResult(CONV, (), tuple(NoteInteraction() for _ in range(5)))
    loop = CommandLoop(result, now=NOW, options=OPTIONS, limit=3)

    assert len(drive(loop, {})) == 3
    assert len(loop.runaway) == 2


def test_each_command_needs_its_outcome_before_the_next() -> None:
    result = StepResult(CONV, (), (NoteInteraction(), NoteInteraction()))
    loop = CommandLoop(result, now=NOW, options=OPTIONS)
    commands = iter(loop)
    next(commands)
    with pytest.raises(RuntimeError, match="no outcome"):
        next(commands)
    with pytest.raises(RuntimeError, match="without a command"):
        CommandLoop(result, now=NOW, options=OPTIONS).settle(Done())
