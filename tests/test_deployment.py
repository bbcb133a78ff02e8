"""Guards on the container files and the packaging (no Docker engine in the test run).

The compose web command itself is run for real in tests/bots/test_serve_processes.py.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) of every Dockerfile line, continuations joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_image_runs_as_an_unprivileged_user_with_its_data_on_the_volume() -> None:
    steps = dockerfile()
    users = [args for op, args in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    last_user = max(i for i, (op, _) in enumerate(steps) if op == "USER")
    assert last_user < max(i for i, (op, _) in enumerate(steps) if op == "CMD")
    assert ("VOLUME", "/data") in steps
    env = " ".join(args for op, args in steps if op == "ENV")
    assert "WEIQUAN_DATABASE_URL=sqlite+aiosqlite:////data/" in env  # not ./var in /app
    assert "WEIQUAN_VAR_DIR=/data" in env and "WEIQUAN_EVIDENCE_DIR=/data/" in env


def test_long_running_services_restart_and_one_process_runs_the_loops() -> None:
    services = compose()["services"]
    for name, service in services.items():
        if name == "migrate":
            assert service["restart"] == "no"  # a one-shot step
        else:
            assert service.get("restart") in ("unless-stopped", "always"), name
    web, worker = services["web"]["command"], services["worker"]["command"]
    assert web[:2] == ["weiquan", "serve"] and "--no-worker" in web  # no polling in web
    assert worker == ["weiquan", "worker"]
    assert not any("serve" in s.get("command", []) for n, s in services.items() if n != "web")


def test_the_license_is_an_spdx_string_for_a_setuptools_that_reads_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "Apache-2.0"
    (setuptools,) = [r for r in project["build-system"]["requires"] if "setuptools" in r]
    major = int(re.search(r">=\s*(\d+)", setuptools).group(1))  # type: ignore[union-attr]
    assert major >= 77  # the first setuptools that takes an SPDX string


COMMAND = re.compile(r"(?:^|[`|] ?)((?:\.venv/bin/)?weiquan(?: [a-z][\w-]*)+(?: [^`\n]*)?)", re.M)


def readme_commands() -> list[str]:
    """Every ``weiquan`` invocation in the README (the architecture diagram aside)."""
    text = (ROOT / "README.md").read_text()
    found = [m.group(1).strip() for m in COMMAND.finditer(text)]
    return [c for c in found if "─" not in c]


def test_the_readme_commands_run_from_a_fresh_clone() -> None:
    from typer.testing import CliRunner

    from bots.cli.main import app

    commands = readme_commands()
    assert len(commands) >= 8
    # A fresh clone has the command only in the virtualenv the scripts create.
    assert all(c.startswith(".venv/bin/weiquan ") for c in commands), commands
    for command in commands:
        words = command.split()[1:]
        path = [w for w in words if not w.startswith("-")][:2]
        shown = CliRunner().invoke(app, [*path, "--help"])
        assert shown.exit_code == 0, (command, shown.output)
        if len(path) == 2 and path[1] not in shown.output.split():
            path = path[:1]  # ``staff create mei``: the second word is an argument
            shown = CliRunner().invoke(app, [*path, "--help"])
        for option in (w for w in words if w.startswith("--")):
            assert option in shown.output, (command, option)
