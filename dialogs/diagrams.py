"""Mermaid drawings of the state machines, made by transitions' diagram extension.

``transitions.extensions.diagrams.GraphMachine`` with ``graph_engine="mermaid"`` writes
a machine as Mermaid text, with no graphviz installed. The running machines are plain
``Machine``s (a graph machine restyles its graph on every move, which the hot path
does not pay for), so :func:`mermaid` copies a running machine's states and
transitions, conditions included, into a graph machine and draws that: what is drawn
is what runs. ``weiquan diagrams`` writes the drawings under ``docs/``; a test fails
when a stored one is stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from transitions import Machine
from transitions.extensions.diagrams import GraphMachine


def transitions_of(machine: Machine) -> list[dict[str, Any]]:
    """Every transition of ``machine`` as transitions takes them, in the order tried."""
    declared: list[dict[str, Any]] = []
    for trigger, event in machine.events.items():
        for source, moves in event.transitions.items():
            for move in moves:
                declared.append({
                    "trigger": trigger,
                    "source": source,
                    "dest": move.dest,
                    "conditions": [c.func for c in move.conditions if c.target],
                    "unless": [c.func for c in move.conditions if not c.target],
                })
    return declared


def mermaid(machine: Machine, title: str) -> str:
    """``machine`` as a Mermaid state diagram (``stateDiagram-v2``), conditions shown."""
    graph = GraphMachine(
        states=list(machine.states),
        transitions=transitions_of(machine),
        initial=machine.initial,
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=True,
        title=title,
    )
    source = graph.get_combined_graph(title=title, force_new=True).draw(None)
    return str(source).rstrip("\n") + "\n"


#: Where the drawings are kept: ``docs/`` of the source tree.
DOCS = Path(__file__).resolve().parents[1] / "docs"


def drawings(lifecycle: Machine, docs: Path = DOCS) -> dict[Path, str]:
    """The stored drawing of each machine and what it should say.

    Args:
        lifecycle: the running complaint lifecycle machine (``storage/status_machine``,
            a layer this package does not import).
        docs: the folder the drawings are kept in.
    """
    from dialogs.machine import MACHINE as INTAKE

    return {
        docs / "intake.mmd": mermaid(INTAKE, "Intake dialog"),
        docs / "lifecycle.mmd": mermaid(lifecycle, "Complaint lifecycle"),
    }


def stale(expected: dict[Path, str]) -> list[Path]:
    """The drawings that are missing or say something else than the machines."""
    return [
        path for path, text in expected.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def write(expected: dict[Path, str]) -> list[Path]:
    """Rewrite the stale drawings; returns them."""
    changed = stale(expected)
    for path in changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected[path], encoding="utf-8")
    return changed
