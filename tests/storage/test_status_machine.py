"""The lifecycle machine: every pair of statuses, and what a move writes, on real databases."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.draft import Draft
from dialogs.lifecycle import STATUSES, IllegalMove
from storage import complaints, status_machine
from storage.crypto import FieldCipher
from storage.db import Database
from storage.deadlines import Deadlines
from storage.models import Complaint, ComplaintEvent, Identity, OutboxNotice
from storage.workdays import WorkCalendar

from ..dialogs.test_lifecycle import EXPECTED

CIPHER = FieldCipher("test-secret-key-test-secret-key")
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
DEADLINES = Deadlines.configured(WorkCalendar())


@pytest.mark.parametrize(("current", "target"), list(itertools.product(STATUSES, STATUSES)))
def test_every_pair_against_the_table(current: str, target: str) -> None:
    if target in EXPECTED[current]:
        status_machine.check(current, target)
    else:
        with pytest.raises(IllegalMove) as info:
            status_machine.check(current, target)
        assert info.value.current == current
        assert info.value.target == target
        assert set(info.value.allowed) == EXPECTED[current]


@pytest.mark.parametrize("status", STATUSES)
def test_allowed_moves_are_read_off_the_machine(status: str) -> None:
    allowed = status_machine.allowed_moves(status)
    assert set(allowed) == EXPECTED[status] and len(allowed) == len(EXPECTED[status])


def test_submitted_offers_its_moves_in_the_desks_order() -> None:
    assert status_machine.allowed_moves("submitted") == (
        "accepted", "rejected", "transferred", "withdrawn"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("current", "target"),
    [("bogus", "accepted"), ("submitted", "bogus"), ("", ""), ("SUBMITTED", "accepted")],
)
def test_unknown_statuses_are_illegal(current: str, target: str) -> None:
    with pytest.raises(IllegalMove) as info:
        status_machine.check(current, target)
    assert info.value.allowed == status_machine.allowed_moves(current)
    assert status_machine.allowed_moves("bogus") == ()


def test_the_machine_runs_on_the_status_and_holds_no_model() -> None:
    machine = status_machine.MACHINE
    assert machine.model_attribute == "status"
    assert machine.models == []
    # The default to_<state> triggers would let any status jump anywhere.
    assert not any(name.startswith("to_") for name in machine.events)


async def _filed(session: AsyncSession) -> tuple[Complaint, Identity]:
    identity = Identity(platform="console", external_id=f"m{id(session)}", language="en")
    session.add(identity)
    await session.flush()
    filed = await complaints.file_complaint(
        session=session, identity=identity, draft=Draft(type="complaint"),
        deadlines=DEADLINES, cipher=CIPHER, now=NOW,
    )  # fmt: skip
    return filed, identity


async def _rows(session: AsyncSession, model: Any, complaint: Complaint) -> list[Any]:
    rows = await session.scalars(
        select(model).where(model.complaint_id == complaint.id).order_by(model.id)
    )
    return list(rows)


async def test_a_move_writes_its_history_entry_and_notice(database: Database) -> None:
    async with database.transaction() as session:
        complaint, identity = await _filed(session)
        moved = await complaints.move_status(
            session=session, complaint=complaint, target="accepted", actor="staff:li",
            note="We called the shop.", now=NOW, deadlines=DEADLINES, tell=identity,
        )  # fmt: skip
        assert complaint.status == "accepted" and complaint.accepted_at == NOW
        assert complaint.resolve_due is not None
        events = await _rows(session, ComplaintEvent, complaint)
        assert [(e.from_status, e.to_status, e.actor, e.note) for e in events] == [
            (None, "submitted", "consumer", None),
            ("submitted", "accepted", "staff:li", "We called the shop."),
        ]
        assert moved.event is events[-1]
        [notice] = await _rows(session, OutboxNotice, complaint)
        assert moved.notice is notice and notice.kind == "status"
        assert notice.payload["facts"] == {
            "number": complaint.number, "status": "accepted", "summary": "We called the shop."
        }  # fmt: skip
        assert "We called the shop." in notice.payload["replies"][0]["text"]


async def test_a_refused_move_writes_nothing(database: Database) -> None:
    async with database.transaction() as session:
        complaint, identity = await _filed(session)
        with pytest.raises(IllegalMove):
            await complaints.move_status(
                session=session, complaint=complaint, target="closed", actor="staff:li",
                note=None, now=NOW, tell=identity,
            )  # fmt: skip
        assert complaint.status == "submitted"
        assert len(await _rows(session, ComplaintEvent, complaint)) == 1
        assert await _rows(session, OutboxNotice, complaint) == []


async def test_no_notice_unless_asked_and_never_for_a_withdrawal(database: Database) -> None:
    async with database.transaction() as session:
        complaint, identity = await _filed(session)
        await complaints.move_status(
            session=session, complaint=complaint, target="accepted", actor="system",
            note=None, now=NOW,
        )  # fmt: skip
        await complaints.move_status(
            session=session, complaint=complaint, target="withdrawn", actor="consumer",
            note=None, now=NOW, tell=identity,
        )  # fmt: skip
        assert complaint.closed_at == NOW
        assert await _rows(session, OutboxNotice, complaint) == []


async def test_closing_erases_first_and_the_notice_keeps_no_note(database: Database) -> None:
    async with database.transaction() as session:
        complaint, identity = await _filed(session)
        await complaints.move_status(
            session=session, complaint=complaint, target="rejected", actor="staff:li",
            note="Outside our remit.", now=NOW, reason="outside_remit", tell=identity,
        )  # fmt: skip
        complaint.erase_on_close = True
        await complaints.move_status(
            session=session, complaint=complaint, target="closed", actor="staff:li",
            note="Closing: 13812345678", now=NOW, tell=identity,
        )  # fmt: skip
        assert complaint.anonymised_at == NOW
        # The erasure took the earlier notice; the closing notice came after it.
        [notice] = await _rows(session, OutboxNotice, complaint)
        assert notice.payload["facts"]["status"] == "closed"
        assert "13812345678" not in str(notice.payload)
        assert all(e.note is None for e in await _rows(session, ComplaintEvent, complaint))
