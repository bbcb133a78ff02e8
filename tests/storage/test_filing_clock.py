"""Numbers and deadlines follow the local day, on both sides of local midnight and year ends."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs import clock
from dialogs.draft import Draft
from storage import complaints
from storage.crypto import FieldCipher
from storage.db import Database
from storage.deadlines import Deadlines
from storage.models import Complaint, Identity, NumberSequence
from storage.workdays import WorkCalendar

CIPHER = FieldCipher("test-secret-key-test-secret-key")
_consumers = iter(range(1_000_000))


@pytest.fixture(autouse=True)
def china_time() -> Any:
    clock.configure("Asia/Shanghai")
    yield
    clock.configure("Asia/Shanghai")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def file_at(
    session: AsyncSession, now: datetime, *, type_id: str = "complaint", deadlines: Any = None
) -> Any:
    identity = Identity(platform="console", external_id=f"c{next(_consumers)}", language="en")
    session.add(identity)
    await session.flush()
    return await complaints.file_complaint(
        session=session, identity=identity, draft=Draft(type=type_id),
        deadlines=deadlines or Deadlines.configured(WorkCalendar()), cipher=CIPHER, now=now,
    )  # fmt: skip


# (filed at, number prefix, acceptance due, resolution due when accepted the same moment)
TABLE = [
    (utc(2026, 11, 23, 15, 59), "20261123", date(2026, 12, 2), date(2027, 2, 22)),
    (utc(2026, 11, 23, 16, 1), "20261124", date(2026, 12, 3), date(2027, 2, 23)),
    # The example: 01:00 Beijing on the 24th used to be numbered the 23rd.
    (utc(2026, 11, 23, 17, 0), "20261124", date(2026, 12, 3), date(2027, 2, 23)),
    (utc(2026, 12, 31, 15, 59), "20261231", date(2027, 1, 12), date(2027, 4, 1)),
    (utc(2026, 12, 31, 16, 30), "20270101", date(2027, 1, 12), date(2027, 4, 1)),
    (utc(2027, 1, 25, 2, 0), "20270125", date(2027, 2, 3), date(2027, 4, 26)),
    (utc(2027, 9, 30, 17, 0), "20271001", date(2027, 10, 14), date(2027, 12, 28)),
]


@pytest.mark.parametrize(("now", "prefix", "accept_due", "resolve_due"), TABLE)
async def test_number_and_deadlines_follow_the_local_day(
    database: Database, now: datetime, prefix: str, accept_due: date, resolve_due: date
) -> None:
    deadlines = Deadlines.configured(WorkCalendar())
    async with database.transaction() as session:
        filed = await file_at(session, now, deadlines=deadlines)
        assert filed.number == f"{prefix}000001"
        assert filed.accept_due == accept_due
        await complaints.move_status(
            session=session, complaint=filed, target="accepted", actor="system", note=None,
            now=now, deadlines=deadlines,
        )  # fmt: skip
        assert filed.resolve_due == resolve_due
        # Every resolution deadline here reaches 2027: counted over provisional days.
        assert "resolution" in (filed.provisional_deadlines or [])
        assert ("acceptance" in (filed.provisional_deadlines or [])) == (accept_due.year == 2027)


async def test_the_sequence_restarts_at_local_midnight(database: Database) -> None:
    async with database.transaction() as session:
        numbers = [
            (await file_at(session, moment)).number
            for moment in (
                utc(2026, 11, 23, 15, 58), utc(2026, 11, 23, 15, 59),
                utc(2026, 11, 23, 16, 1), utc(2026, 11, 24, 3, 0),
                utc(2026, 11, 24, 15, 59, 59), utc(2026, 11, 24, 16, 0),
            )
        ]  # fmt: skip
    assert numbers == [
        "20261123000001", "20261123000002",
        "20261124000001", "20261124000002", "20261124000003",
        "20261125000001",
    ]  # fmt: skip


async def test_a_rolled_back_filing_gives_its_number_back(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            await file_at(session, utc(2026, 11, 23, 16, 1))
            raise RuntimeError("the engine's transaction failed")
    async with database.transaction() as session:
        assert (await file_at(session, utc(2026, 11, 23, 16, 2))).number == "20261124000001"


async def test_another_zone_moves_the_day(database: Database) -> None:
    clock.configure("UTC")
    async with database.transaction() as session:
        filed = await file_at(session, utc(2026, 11, 23, 17, 0))
    assert filed.number.startswith("20261123")
    assert filed.accept_due == date(2026, 12, 2)


async def test_each_type_gets_its_own_clocks(database: Database) -> None:
    now = utc(2026, 11, 23, 16, 1)  # Tuesday 2026-11-24 in Beijing
    deadlines = Deadlines.configured(WorkCalendar(), answer_workdays=3, accept_workdays=5)
    async with database.transaction() as session:
        complaint = await file_at(session, now, deadlines=deadlines)
        report = await file_at(session, now, type_id="report", deadlines=deadlines)
        consultation = await file_at(session, now, type_id="consultation", deadlines=deadlines)
        suggestion = await file_at(session, now, type_id="suggestion", deadlines=deadlines)
    # WEIQUAN_ACCEPT_WORKDAYS=5 still works: 5 working days, not the table's 7.
    assert complaint.accept_due == date(2026, 12, 1)
    assert complaint.resolve_due is not None and complaint.mediation_due is not None
    assert complaint.decision_due is None and complaint.answer_due is None
    # A report: the decision on opening a case, 15 working days after receipt.
    assert report.decision_due == date(2026, 12, 15)
    assert report.accept_due is None and report.resolve_due is None
    assert consultation.answer_due == suggestion.answer_due == date(2026, 11, 27)
    assert consultation.accept_due is None


def test_local_clock_helpers() -> None:
    assert clock.local_date(utc(2026, 11, 23, 15, 59)) == date(2026, 11, 23)
    assert clock.local_date(utc(2026, 11, 23, 16, 1)) == date(2026, 11, 24)
    assert clock.local_date(datetime(2026, 11, 23, 16, 1)) == date(2026, 11, 24)  # naive = UTC
    assert clock.day_start(date(2026, 11, 24)) == utc(2026, 11, 23, 16, 0)
    assert clock.iso(utc(2026, 11, 23, 17, 0)) == "2026-11-24T01:00:00+08:00"
    assert clock.zone_label(utc(2026, 11, 23, 17, 0)) == "UTC+08:00"
    with pytest.raises(ValueError, match="Asia/Shanghai"):
        clock.parse_zone("Mars/Olympus")


async def test_filings_at_once_get_different_numbers(database: Database) -> None:
    now = utc(2026, 11, 23, 16, 1)

    async def one() -> str:
        async with database.transaction() as session:
            return str((await file_at(session, now)).number)

    numbers = await asyncio.gather(*(one() for _ in range(8)))
    assert sorted(numbers) == [f"20261124{n:06d}" for n in range(1, 9)]


async def test_a_day_past_a_million_filings_keeps_counting(database: Database) -> None:
    async with database.transaction() as session:
        session.add(NumberSequence(day=date(2026, 11, 24), last=999_999))
    async with database.transaction() as session:
        filed = await file_at(session, utc(2026, 11, 23, 16, 1))
    assert filed.number == "202611241000000"
    async with database.transaction() as session:
        stored = await session.scalar(select(Complaint.number).where(Complaint.id == filed.id))
    assert stored == filed.number
