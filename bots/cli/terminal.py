"""``weiquan chat``: the consumer side in a terminal, one line at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from adapters import terminal
from bots.services import Services
from bots.settings import Settings


async def run_chat(
    settings: Settings,
    *,
    user: str,
    lang: str | None,
    lines: Iterable[str],
    out: TextIO | None = None,
) -> None:
    """Feed each input line to the engine and print the replies."""
    import sys

    write = (out or sys.stdout).write
    services = Services.build(settings)
    try:
        if getattr(lines, "isatty", lambda: False)():
            write("(Ctrl-D to quit)\n")
        for line in _lines(lines):
            event = terminal.to_event(line, user=user, now=services.engine.clock(), lang=lang)
            for reply in await services.engine.handle(event):
                write(terminal.render(reply) + "\n\n")
            (out or sys.stdout).flush()
    finally:
        await services.close()


def _lines(lines: Iterable[str]) -> Iterable[str]:
    for line in lines:
        yield line.rstrip("\n")
