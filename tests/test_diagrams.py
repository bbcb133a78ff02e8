"""The drawings under docs/ are the machines that run: regenerate with ``weiquan diagrams``."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import yaml

from dialogs import diagrams
from dialogs.flow import FLOW_PATH, parse_flow
from dialogs.machine import MACHINE as INTAKE
from dialogs.machine import build_machine
from storage.status_machine import MACHINE as LIFECYCLE


def test_the_stored_drawings_are_current() -> None:
    stale = diagrams.stale(diagrams.drawings(LIFECYCLE))
    assert stale == [], f"run `weiquan diagrams`: {[p.name for p in stale]} are stale"


def test_a_drawing_goes_stale_when_the_machine_changes(tmp_path: Path) -> None:
    expected = diagrams.drawings(LIFECYCLE, tmp_path)
    assert sorted(p.name for p in diagrams.write(expected)) == ["intake.mmd", "lifecycle.mmd"]
    assert diagrams.stale(expected) == [] and diagrams.write(expected) == []
    # A deployment drops the order number from complaints: the graph is another one.
    data = yaml.safe_load(FLOW_PATH.read_text(encoding="utf-8"))
    changed = copy.deepcopy(data)
    changed["types"]["complaint"]["steps"].remove("order_number")
    redrawn = diagrams.mermaid(build_machine(parse_flow(changed)), "Intake dialog")
    intake = tmp_path / "intake.mmd"
    assert redrawn != intake.read_text(encoding="utf-8")
    assert diagrams.stale({intake: redrawn}) == [intake]


def test_every_transition_that_runs_is_drawn() -> None:
    for machine, path in ((INTAKE, "intake.mmd"), (LIFECYCLE, "lifecycle.mmd")):
        edges: dict[tuple[str, str], str] = {}
        for line in (diagrams.DOCS / path).read_text(encoding="utf-8").splitlines():
            if " --> " in line and ": " in line:
                ends, label = line.strip().split(": ", 1)
                source, dest = ends.split(" --> ")
                edges[(source, dest)] = label
        for move in diagrams.transitions_of(machine):
            label = edges[(move["source"], move["dest"] or move["source"])]
            assert move["trigger"] in label
            for condition in move["conditions"]:
                assert condition.__name__ in label


def test_the_command_checks_the_drawings() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", "diagrams", "--check"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "drawings up to date" in done.stdout
