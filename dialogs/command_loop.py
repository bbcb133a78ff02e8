"""The command loop: carries a step's commands through to the end, the one way there is.

A dialog step returns commands; the caller carries each one out and hands the outcome
back, and the dialog answers with replies and maybe further commands
(:func:`dialogs.intake.apply_result`). :class:`CommandLoop` holds the conversation and
the replies while that goes on, gives the commands in order (a command's follow-ups
after the ones already waiting), and stops after :data:`MAX_COMMANDS`, so a faulty flow
can never loop forever inside a transaction. It does no I/O: the engine drives it with
storage (``bots.commands.CommandRunner.carry_out``), the dialog tests with a fake::

    loop = CommandLoop(result, now=now, options=options)
    for command in loop:
        loop.settle(run(command))
    # loop.conversation and loop.replies are the step's end; loop.runaway is empty
    # unless the bound stopped it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import datetime

from dialogs.command_results import CommandResult
from dialogs.commands import Command
from dialogs.conversation import Conversation, StepResult
from dialogs.intake import apply_result
from dialogs.options import DialogOptions
from dialogs.replies import Reply

#: Commands carried out for one step at most, follow-ups included.
MAX_COMMANDS = 20


class CommandLoop:
    """One step's commands, given in order until none are left or the bound is reached.

    Iterating gives the next command; :meth:`settle` must be given its outcome before
    the next one is asked for.

    Args:
        result: what the dialog step returned.
        now: the current time (UTC), for the dialog's answers to outcomes.
        options: the deployment's dialog options.
        limit: commands carried out at most (:data:`MAX_COMMANDS`).
    """

    def __init__(
        self,
        result: StepResult,
        *,
        now: datetime,
        options: DialogOptions,
        limit: int = MAX_COMMANDS,
    ) -> None:
        self.conversation: Conversation = result.conversation
        self.replies: list[Reply] = list(result.replies)
        self.carried: int = 0
        self._pending: deque[Command] = deque(result.commands)
        self._current: Command | None = None
        self._now = now
        self._options = options
        self._limit = limit

    def __iter__(self) -> Iterator[Command]:
        while self._pending and self.carried < self._limit:
            if self._current is not None:
                raise RuntimeError(f"no outcome was settled for {self._current!r}")
            self._current = self._pending.popleft()
            yield self._current
        if self._current is not None:
            raise RuntimeError(f"no outcome was settled for {self._current!r}")

    def settle(self, outcome: CommandResult) -> None:
        """Hand back how the command just given ended; its follow-ups join the queue."""
        command, self._current = self._current, None
        if command is None:
            raise RuntimeError("settle() without a command to settle")
        self.carried += 1
        follow = apply_result(
            self.conversation, command, outcome, now=self._now, options=self._options
        )
        self.conversation = follow.conversation
        self.replies.extend(follow.replies)
        self._pending.extend(follow.commands)

    @property
    def runaway(self) -> tuple[Command, ...]:
        """The commands left undone: after the loop, empty unless it hit its bound."""
        return tuple(self._pending)
