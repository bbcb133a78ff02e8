"""Two workers on one PostgreSQL database never send a notice twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from bots import worker
from bots.services import Services
from bots.settings import Settings
from dialogs.events import Reply
from storage import conversations, outbox
from storage.db import Database
from storage.models import Identity, OutboxNotice
from tests.conftest import empty

from .channel import ScriptedSender


async def test_two_workers_share_the_work_without_doubles(
    postgres_url: str, tmp_path: Path
) -> None:
    database = Database(postgres_url)
    await empty(database)
    settings = Settings(
        database_url=postgres_url,
        var_dir=tmp_path,
        evidence_dir=tmp_path / "e",
        secret_key="two-workers-two-workers-two",
        run_worker=False,
        _env_file=None,
    )  # type: ignore[call-arg]
    workers = [Services.build(settings) for _ in range(2)]
    senders = [ScriptedSender(delay=0.002) for _ in workers]
    for services, sender in zip(workers, senders, strict=True):
        services.senders["wechat"] = sender
    try:
        async with database.begin() as conn:
            for i in range(50):
                await conversations.lock(
                    conn, platform="wechat", external_id=f"c{i}", language="en"
                )
        async with database.transaction() as session:
            for identity in (await session.scalars(select(Identity))).all():
                for n in range(4):
                    await outbox.enqueue(
                        session=session,
                        identity=identity,
                        replies=[Reply(f"{identity.external_id}:{n}")],
                        now=workers[0].now(),
                    )

        async def drain(services: Services) -> None:
            while await worker.deliver_due(services):
                pass

        for _ in range(10):  # per-consumer order releases a consumer's next notice later
            await asyncio.gather(*(drain(s) for s in workers))
        sent = Counter(text for sender in senders for _, text in sender.sent)
        assert len(sent) == 200 and set(sent.values()) == {1}
        assert all(sender.sent for sender in senders)  # both did some of the work
        for sender in senders:  # each consumer's notices in the order written
            for user in {u for u, _ in sender.sent}:
                mine = [int(t.split(":")[1]) for u, t in sender.sent if u == user]
                assert mine == sorted(mine)
        async with database.sessions() as session:
            left = await session.scalar(
                select(func.count()).select_from(OutboxNotice).where(OutboxNotice.status != "sent")
            )
        assert left == 0
    finally:
        for services in workers:
            await services.close()
        await database.dispose()
