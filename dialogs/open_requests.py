"""Requests the desk is waiting for on a case (evidence, a rating), as the dialog sees them.

The rows in ``case_requests`` are the truth (storage/case_requests.py). The
conversation keeps a copy in ``answers["requests"]`` so that any message can remind the
consumer and route a file to the case without a query: staff actions add to the copy
when they open a request and remove from it when they withdraw one; the dialog removes
an entry when its command result says the request was answered; "my complaints" and a
complaint's detail replace the copy with what storage says. Whatever the consumer does
meanwhile ("hi", the menu, another request) leaves the copy alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dialogs.command_results import OpenRequest
from dialogs.replies import Reply
from dialogs.turn import Turn

KEY = "requests"
KINDS = ("evidence", "rating")


def entries(turn: Turn) -> list[dict[str, Any]]:
    """The open requests remembered, oldest first (malformed entries are skipped)."""
    stored = turn.answers.get(KEY)
    if not isinstance(stored, list):
        return []
    return [
        e for e in stored
        if isinstance(e, dict) and e.get("kind") in KINDS and isinstance(e.get("number"), str)
    ]


def add(turn: Turn, kind: str, number: str, note: str | None = None) -> None:
    """Remember a request; a second one of the same kind on a case replaces the first."""
    kept = [e for e in entries(turn) if (e["kind"], e["number"]) != (kind, number)]
    turn.answers[KEY] = [*kept, {"kind": kind, "number": number, "note": note}]


def drop(turn: Turn, kind: str, number: str) -> None:
    """Forget the request of ``kind`` on complaint ``number`` (answered or withdrawn)."""
    turn.answers[KEY] = [e for e in entries(turn) if (e["kind"], e["number"]) != (kind, number)]


def replace_all(turn: Turn, requests: Iterable[OpenRequest]) -> None:
    """Take storage's list of the consumer's open requests as the new copy."""
    turn.answers[KEY] = [_entry(r) for r in requests]


def replace_for(turn: Turn, number: str, requests: Iterable[OpenRequest]) -> None:
    """Take storage's open requests of one complaint as the copy for that complaint."""
    others = [e for e in entries(turn) if e["number"] != number]
    turn.answers[KEY] = [*others, *(_entry(r) for r in requests if r.number == number)]


def evidence_case(turn: Turn) -> str | None:
    """The complaint of the newest open evidence request, where a stray file belongs."""
    for entry in reversed(entries(turn)):
        if entry["kind"] == "evidence":
            return str(entry["number"])
    return None


def line(turn: Turn, entry: dict[str, Any]) -> str:
    """One request in the consumer's words ("send the invoice for complaint N")."""
    number = entry["number"]
    note = entry.get("note")
    if entry["kind"] == "evidence" and isinstance(note, str) and note.strip():
        return turn.t("request.evidence_note", number=number, note=note.strip())
    return turn.t(f"request.{entry['kind']}", number=number)


def reminder(turn: Turn) -> Reply | None:
    """"You have 1 open request: …" for the requests remembered, or None."""
    found = entries(turn)
    if not found:
        return None
    if len(found) == 1:
        lines = [turn.t("request.one", line=line(turn, found[0]))]
    else:
        lines = [turn.t("request.many", count=len(found))]
        lines += [turn.t("request.item", line=line(turn, e)) for e in found]
    lines.append(turn.t("request.hint"))
    return Reply("\n".join(lines))


def remind(turn: Turn) -> None:
    """Append the reminder once per turn (several paths of one turn may ask for it)."""
    reply = reminder(turn)
    if reply is not None and reply not in turn.replies:
        turn.replies.append(reply)


def _entry(request: OpenRequest) -> dict[str, Any]:
    return {"kind": request.kind, "number": request.number, "note": request.note}
