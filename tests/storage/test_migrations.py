"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from storage.db import Database
from storage.migrate import upgrade
from storage.models import Base


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_models(database: Database) -> None:
    async with database.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


def test_reports_and_consultations_filed_before_get_their_own_clock(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(
            "INSERT INTO identities (id, platform, external_id, language, language_chosen, "
            "created_at, pushes_since_inbound, blocked) "
            "VALUES (1, 'web', 'u', 'en', 0, '2026-11-20 02:00:00', 0, 0)"
        ))  # fmt: skip
        for n, kind in enumerate(("complaint", "report", "consultation"), start=1):
            conn.execute(
                sqlalchemy.text(
                    "INSERT INTO complaints (id, number, identity_id, platform, type, category, "
                    "description, demands, consent_share, language, status, filed_at, "
                    "updated_at, accept_due, resolve_due) VALUES (:id, :number, 1, 'web', "
                    ":type, 'food', '', '[]', 0, 'en', 'submitted', '2026-11-20 02:00:00', "
                    "'2026-11-20 02:00:00', '2026-12-01', '2027-03-01')"
                ),
                {"id": n, "number": f"2026112000000{n}", "type": kind},
            )
    upgrade(url, "head")
    with engine.connect() as conn:
        rows = conn.execute(sqlalchemy.text(
            "SELECT type, accept_due, resolve_due, decision_due, answer_due FROM complaints "
            "ORDER BY id"
        )).all()  # fmt: skip
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("complaint", "2026-12-01", "2027-03-01", None, None),
        ("report", None, None, "2026-12-01", None),
        ("consultation", None, None, None, "2026-12-01"),
    ]
