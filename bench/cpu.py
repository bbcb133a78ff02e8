"""CPU time from ``/proc``: a process tree, PostgreSQL backends, this process, the machine.

Times are user + system ticks of ``/proc/<pid>/stat`` turned into seconds. A window
takes a :class:`Snapshot` at its start and its end; the difference divided by the
window's messages is the CPU a message cost each party.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

TICK = 1 / os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            raw = file.read().decode("latin-1")
    except OSError:  # gone meanwhile
        return None
    # The command name sits in parentheses and may hold spaces: split after it.
    return raw[raw.rindex(")") + 2 :].split()


def process_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # After the name: state(0) ppid(1) … utime(11) stime(12).
    return (int(fields[11]) + int(fields[12])) * TICK


def descendants(root: int) -> set[int]:
    """``root`` and every process below it (uvicorn's workers are its children)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, ()))
    return found


def own_seconds() -> float:
    """CPU seconds of this process (the load generator), threads included."""
    times = os.times()
    return times.user + times.system


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot (``/proc/stat``)."""
    with open("/proc/stat") as file:
        values = [int(v) for v in file.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) * TICK


def _per_pid(pids: Iterable[int]) -> dict[int, float]:
    # Processes gone meanwhile are left out (their time since the last snapshot is lost).
    found = {}
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            found[pid] = (int(fields[11]) + int(fields[12])) * TICK
    return found


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds at one moment: the server's tree and the database's backends (per
    process), this process (the load generator) and the whole machine."""

    server: dict[int, float]
    postgres: dict[int, float]
    generator: float
    machine: float


@dataclass(frozen=True)
class Used:
    """CPU seconds used between two snapshots; ``others`` is the machine's rest
    (other helpers' test runs, the fake Bot API, the kernel's own work)."""

    server: float
    postgres: float
    generator: float
    machine: float

    @property
    def others(self) -> float:
        return self.machine - self.server - self.postgres - self.generator


def _grown(end: dict[int, float], start: dict[int, float]) -> float:
    # A process that appeared meanwhile counts from zero; one that ended is lost.
    return sum(value - start.get(pid, 0.0) for pid, value in end.items())


def snapshot(server_pids: Iterable[int], postgres_pids: Iterable[int]) -> Snapshot:
    return Snapshot(
        _per_pid(server_pids), _per_pid(postgres_pids), own_seconds(), machine_busy_seconds()
    )


def used(start: Snapshot, end: Snapshot) -> Used:
    return Used(
        _grown(end.server, start.server),
        _grown(end.postgres, start.postgres),
        end.generator - start.generator,
        end.machine - start.machine,
    )
