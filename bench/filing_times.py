"""Filing times around local midnight and year ends: number, acceptance and resolution due.

Files one complaint at each moment through the real storage code (a throw-away SQLite
database, migrated), accepts it at the same moment, and prints a table:

    python -m bench.filing_times [--timezone Asia/Shanghai] [2026-11-23T15:59Z ...]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from dialogs import clock
from dialogs.draft import Draft
from storage import complaints
from storage.crypto import FieldCipher
from storage.db import Database
from storage.deadlines import Deadlines
from storage.migrate import upgrade
from storage.models import Identity
from storage.workdays import WorkCalendar

MOMENTS = (
    "2026-11-23T15:59Z",
    "2026-11-23T16:01Z",
    "2026-11-23T17:00Z",
    "2026-12-31T15:59Z",
    "2026-12-31T16:30Z",
    "2027-01-25T02:00Z",
    "2027-09-30T15:59Z",
    "2027-09-30T17:00Z",
)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


async def table(moments: list[datetime]) -> list[tuple[str, ...]]:
    """One row per moment: UTC, local time, number, acceptance due, resolution due."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'times.db'}"
        await asyncio.to_thread(upgrade, url)
        database = Database(url)
        deadlines = Deadlines.configured(WorkCalendar())
        cipher = FieldCipher("filing-times-filing-times-filing-times")
        for n, now in enumerate(moments):
            async with database.transaction() as session:
                identity = Identity(platform="console", external_id=f"c{n}", language="en")
                session.add(identity)
                await session.flush()
                filed = await complaints.file_complaint(
                    session=session, identity=identity, draft=Draft(type="complaint"),
                    deadlines=deadlines, cipher=cipher, now=now,
                )  # fmt: skip
                accept_due = filed.accept_due
                await complaints.move_status(
                    session=session, complaint=filed, target="accepted", actor="system",
                    note=None, now=now, deadlines=deadlines,
                )  # fmt: skip
                provisional = ",".join(filed.provisional_deadlines or ()) or "-"
                rows.append(
                    (
                        now.strftime("%Y-%m-%d %H:%MZ"),
                        clock.local_now(now).strftime("%Y-%m-%d %H:%M %Z"),
                        filed.number[:8],
                        str(accept_due),
                        str(filed.resolve_due),
                        provisional,
                    )
                )
        await database.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("moments", nargs="*", default=list(MOMENTS))
    parser.add_argument("--timezone", default=clock.DEFAULT_TIMEZONE)
    args = parser.parse_args()
    clock.configure(args.timezone)
    rows = asyncio.run(table([_moment(m) for m in args.moments]))
    head = ("filed (UTC)", "local", "number", "acceptance due", "resolution due", "provisional")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
