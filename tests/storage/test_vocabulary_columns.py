"""Vocabulary columns: the same strings in the database, members in Python, nothing else.

The columns became ``StrEnum`` types without a migration: the rows hold the strings they
held before (the terminal chat is still ``console``), a row reads back as members, a
value outside the vocabulary never reaches the database, and a list filtered by one
matches nothing instead of failing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from dialogs.draft import Draft
from dialogs.replies import Reply
from dialogs.vocabulary import ComplaintStatus, FetchStatus, Language, NoticeStatus, Platform
from storage import casework, complaints, outbox
from storage.crypto import FieldCipher
from storage.db import Database
from storage.deadlines import Deadlines
from storage.models import Complaint, ComplaintEvent, Evidence, Identity, OutboxNotice
from storage.workdays import WorkCalendar

CIPHER = FieldCipher("test-secret-key-test-secret-key")
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
DEADLINES = Deadlines.configured(WorkCalendar())


async def _file(database: Database) -> int:
    async with database.transaction() as session:
        identity = Identity(platform=Platform.TERMINAL, external_id="t1", language=Language.EN)
        session.add(identity)
        await session.flush()
        complaint = await complaints.file_complaint(
            session=session, identity=identity, draft=Draft(type="complaint", language="en"),
            deadlines=DEADLINES, cipher=CIPHER, now=NOW,
        )  # fmt: skip
        await complaints.move_status(
            session=session, complaint=complaint, target="accepted", actor="staff:li",
            note=None, now=NOW, deadlines=DEADLINES, tell=identity,
        )  # fmt: skip
        session.add(
            Evidence(
                complaint_id=complaint.id, identity_id=identity.id, platform=Platform.TERMINAL,
                source_key="e1", kind="photo", received_at=NOW,
            )
        )  # fmt: skip
        return complaint.id


async def test_rows_hold_the_same_strings_and_read_back_as_members(database: Database) -> None:
    complaint_id = await _file(database)
    async with database.sessions() as session:
        raw = (
            await session.execute(
                text(
                    "SELECT i.platform, i.language, c.platform, c.language, c.status, "
                    "o.platform, o.status, e.platform, e.fetch_status "
                    "FROM complaints c JOIN identities i ON i.id = c.identity_id "
                    "JOIN outbox o ON o.complaint_id = c.id "
                    "JOIN evidence e ON e.complaint_id = c.id"
                )
            )
        ).one()
        assert tuple(raw) == (
            "console", "en", "console", "en", "accepted", "console", "pending", "console",
            "pending",
        )  # fmt: skip
        assert all(type(value) is str for value in raw)
        complaint = await session.get_one(Complaint, complaint_id)
        identity = await session.get_one(Identity, complaint.identity_id)
        notice = (await session.scalars(select(OutboxNotice))).one()
        item = (await session.scalars(select(Evidence))).one()
        events = (await session.scalars(select(ComplaintEvent).order_by(ComplaintEvent.id))).all()
    assert identity.platform is Platform.TERMINAL and identity.language is Language.EN
    assert complaint.status is ComplaintStatus.ACCEPTED
    assert complaint.platform is Platform.TERMINAL and complaint.language is Language.EN
    assert notice.status is NoticeStatus.PENDING and notice.platform is Platform.TERMINAL
    assert item.fetch_status is FetchStatus.PENDING
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, ComplaintStatus.SUBMITTED),
        (ComplaintStatus.SUBMITTED, ComplaintStatus.ACCEPTED),
    ]
    assert isinstance(events[1].from_status, ComplaintStatus)


async def test_a_move_leaves_the_member_on_the_complaint(database: Database) -> None:
    await _file(database)
    async with database.transaction() as session:
        complaint = (await session.scalars(select(Complaint))).one()
        await complaints.move_status(
            session=session, complaint=complaint, target="mediating", actor="staff:li",
            note=None, now=NOW,
        )  # fmt: skip
        assert complaint.status is ComplaintStatus.MEDIATING


async def test_a_value_outside_the_vocabulary_never_reaches_the_database(
    database: Database,
) -> None:
    with pytest.raises(StatementError, match="is not among the defined enum values"):
        async with database.transaction() as session:
            session.add(Identity(platform="fax", external_id="f1", language="en"))
    with pytest.raises(StatementError, match="is not among the defined enum values"):
        async with database.transaction() as session:
            identity = Identity(platform=Platform.WEB, external_id="w1", language="en")
            session.add(identity)
            await session.flush()
            notice = outbox.queue(
                session=session, identity=identity, replies=[Reply("hi")], now=NOW
            )
            notice.status = "lost"  # type: ignore[assignment]
    async with database.sessions() as session:
        assert (await session.scalars(select(Identity))).all() == []


@pytest.mark.parametrize(
    "filters",
    [casework.Filters(status="bogus"), casework.Filters(platform="fax"),
     casework.Filters(status="SUBMITTED")],
)  # fmt: skip
async def test_a_list_filtered_by_an_unknown_value_is_empty(
    database: Database, filters: casework.Filters
) -> None:
    await _file(database)
    async with database.sessions() as session:
        found = await casework.list_complaints(
            session=session, filters=filters, today=date(2026, 11, 24)
        )
        every = await casework.list_complaints(
            session=session, filters=casework.Filters(status="accepted", platform="console"),
            today=date(2026, 11, 24),
        )  # fmt: skip
    assert found.total == 0 and found.items == []
    assert every.total == 1
