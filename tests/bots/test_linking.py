"""Linking identities through the engine on SQLite and PostgreSQL, across platforms.

A Telegram chat and a web chat (and WeChat for the transitive case) are different
identities of one consumer until the consumer links them with a code.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bots.services import Services
from bots.staff import status_moves
from dialogs.commands import ShowComplaint, WithdrawComplaint
from dialogs.events import MediaKind, MediaMessage, TextMessage
from dialogs.vocabulary import Platform
from storage import complaints, conversations, links
from storage import staff as staff_store
from storage.models import Complaint, LinkCode, OutboxNotice
from tests.conftest import Clock
from tests.support.driver import COMPLAINT, as_dicts, filed, walk

_ids = itertools.count(1)

TG = (Platform.TELEGRAM, "1001")
WEB = (Platform.WEB, "c-7f3a")
WX = (Platform.WECHAT, "oWx-42")
WEB2 = (Platform.WEB, "c-9d21")


def sender(services: Services, who: tuple[Platform, str]):  # type: ignore[no-untyped-def]
    platform, user = who

    async def send(body: str) -> list[dict[str, Any]]:
        event = TextMessage(
            platform=platform,
            user_id=user,
            message_id=f"{platform}-{next(_ids)}",
            received_at=datetime.now(UTC),
            language_hint="en",
            text=body,
        )
        return as_dicts(await services.engine.handle(event))

    return send


def said(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] for r in replies)


async def file_one(services: Services, who: tuple[Platform, str]) -> str:
    replies = await walk(sender(services, who), COMPLAINT, until=lambda r: filed(r) is not None)
    number = filed(replies)
    assert number is not None
    return number


async def listed(services: Services, who: tuple[Platform, str]) -> set[str]:
    replies = await sender(services, who)("my complaints")
    numbers = {c["label"].split(" ")[0] for r in replies for c in r["choices"]}
    await sender(services, who)("menu")
    return {n for n in numbers if n.isdigit()}


async def get_code(services: Services, who: tuple[Platform, str]) -> str:
    replies = await sender(services, who)("link")
    match = re.search(r"\b(\d{6})\b", replies[0]["text"])
    assert match, replies
    return match.group(1)


Who = tuple[Platform, str]


async def link(services: Services, issuer: Who, other: Who) -> str:
    code = await get_code(services, issuer)
    asked = await sender(services, other)(f"link {code}")
    assert asked[-1]["step"] == "link_confirm", asked
    return said(await sender(services, other)("yes"))


async def test_linked_telegram_and_web_see_each_others_complaints(services: Services) -> None:
    on_telegram = await file_one(services, TG)
    on_web = await file_one(services, WEB)
    assert await listed(services, TG) == {on_telegram}
    assert await listed(services, WEB) == {on_web}

    code = await get_code(services, TG)
    asked = await sender(services, WEB)(f"绑定 {code}")
    assert "Telegram" in asked[-1]["text"]
    assert await listed(services, WEB) == {on_web}, "nothing is linked before the yes"
    asked = await sender(services, WEB)(f"link {code}")
    assert "Linked" in said(await sender(services, WEB)("yes"))

    assert await listed(services, WEB) == {on_telegram, on_web}
    assert await listed(services, TG) == {on_telegram, on_web}
    # The web chat can open and act on the complaint filed on Telegram.
    detail = await sender(services, WEB)("my complaints")
    choice = next(c["id"] for r in detail for c in r["choices"] if on_telegram in c["label"])
    assert on_telegram in said(await sender(services, WEB)(choice))

    async with services.database.sessions() as session:
        tg = await conversations.find_identity(
            session=session, platform="telegram", external_id="1001"
        )
        notices = (await session.scalars(select(OutboxNotice))).all()
    assert tg is not None
    # The issuer is told on its own channel that its code was used.
    assert [(n.identity_id, n.kind) for n in notices] == [(tg.id, "link")]
    assert "web chat" in notices[0].payload["replies"][0]["text"]

    # Progress notices still go to the channel the complaint was filed on.
    async with services.database.transaction() as session:
        staff = await staff_store.create_staff(
            session=session, username="agent1", role="agent", password="pw-Agent-123456",
            now=services.now(),
        )
    await status_moves.change_status(services, staff, on_telegram, "accepted", None)
    async with services.database.sessions() as session:
        last = (await session.scalars(select(OutboxNotice).order_by(OutboxNotice.id))).all()[-1]
        complaint = await session.scalar(select(Complaint).where(Complaint.number == on_telegram))
    assert complaint is not None and complaint.platform == "telegram"
    assert (last.identity_id, last.platform) == (tg.id, "telegram")


async def test_another_consumer_cannot_reach_complaints_without_the_code(
    services: Services,
) -> None:
    theirs = await file_one(services, TG)
    await link(services, TG, WEB)
    assert await listed(services, WEB2) == set()
    async with services.database.transaction() as session:
        stranger = await conversations.find_identity(
            session=session, platform="web", external_id=WEB2[1]
        )
        assert stranger is not None
        runner = services.engine.runner
        now = services.now()
        shown = await runner.run(session, stranger, ShowComplaint(theirs), now)
        withdrawn = await runner.run(session, stranger, WithdrawComplaint(theirs), now)
    assert type(shown).__name__ == "Refused" and type(withdrawn).__name__ == "Refused"
    # Guessing a code is a counted wrong try, not a way in.
    assert "not correct" in said(await sender(services, WEB2)("link 000000"))
    assert await listed(services, WEB2) == set()


async def test_codes_are_hashed_single_use_and_expire(services: Services, clock: Clock) -> None:
    code = await get_code(services, TG)
    async with services.database.sessions() as session:
        stored = (await session.scalars(select(LinkCode))).one()
    assert stored.code_hash != code and code not in stored.code_hash
    assert stored.code_hash == links.code_hash(services.engine.runner.link_key, code)

    assert "made in this chat" in said(await sender(services, TG)(f"link {code}"))
    await sender(services, WEB)(f"link {code}")
    await sender(services, WEB)("yes")
    assert "expired or was already used" in said(await sender(services, WEB2)(f"link {code}"))

    late = await get_code(services, WX)
    clock.advance(minutes=10, seconds=1)
    assert "expired" in said(await sender(services, WEB2)(f"link {late}"))
    assert await listed(services, WEB2) == set()


async def test_a_new_code_replaces_the_previous_one(services: Services) -> None:
    first = await get_code(services, TG)
    second = await get_code(services, TG)
    assert "expired" in said(await sender(services, WEB)(f"link {first}"))
    if first != second:
        assert "Link this chat" in said(await sender(services, WEB)(f"link {second}"))


async def test_five_wrong_codes_lock_linking_for_an_hour(services: Services, clock: Clock) -> None:
    code = await get_code(services, TG)
    wrong = "000000" if code != "000000" else "111111"
    send = sender(services, WEB)
    for left in (4, 3, 2, 1):
        assert f"{left} tries left" in said(await send(f"link {wrong}"))
    assert "6 digits" in said(await send("link 12345"))  # not counted as a wrong code
    locked = said(await send(f"link {wrong}"))
    # 02:00 UTC is 10:00 in Beijing: locked until 11:00 local time.
    assert "try again in 60 minutes (after 11:00)" in locked
    clock.advance(minutes=30)
    assert "in 30 minutes (after 11:00)" in said(await send(f"link {code}"))
    clock.advance(minutes=30, seconds=1)
    code = await get_code(services, TG)
    assert "Linked" in await link_with(services, WEB, code)


async def link_with(services: Services, who: tuple[Platform, str], code: str) -> str:
    await sender(services, who)(f"link {code}")
    return said(await sender(services, who)("yes"))


async def test_links_are_transitive(services: Services) -> None:
    numbers = {await file_one(services, who) for who in (TG, WEB, WX, WEB2)}
    await link(services, TG, WEB)
    await link(services, WX, WEB2)
    assert await listed(services, TG) != numbers
    # Web (with Telegram) links WeChat (with the second browser): one group of four.
    assert "4 in all" in await link(services, WEB, WX)
    for who in (TG, WEB, WX, WEB2):
        assert await listed(services, who) == numbers
    code = await get_code(services, TG)
    assert "already linked" in said(await sender(services, WEB2)(f"link {code}"))


async def test_one_code_entered_twice_at_once_links_once(services: Services) -> None:
    code = await get_code(services, TG)
    for who in (WEB, WEB2):
        await sender(services, who)(f"link {code}")
    answers = await asyncio.gather(sender(services, WEB)("yes"), sender(services, WEB2)("yes"))
    outcomes = sorted("Linked" in said(a) for a in answers)
    assert outcomes == [False, True]
    assert any("expired" in said(a) for a in answers)


async def test_evidence_from_both_channels_counts_against_one_limit(services: Services) -> None:
    number = await file_one(services, TG)
    await link(services, TG, WEB)
    limit = services.settings.max_evidence_files

    async def add(who: tuple[Platform, str], count: int) -> str:
        send = sender(services, who)
        listing = await send("my complaints")
        choice = next(c["id"] for r in listing for c in r["choices"] if number in c["label"])
        await send(choice)
        await send("add_evidence")
        replies: list[dict[str, Any]] = []
        for _ in range(count):
            media = MediaMessage(
                platform=who[0], user_id=who[1], message_id=f"media-{next(_ids)}",
                received_at=datetime.now(UTC), kind=MediaKind.PHOTO,
                platform_ref=f"file-{next(_ids)}",
            )
            replies = as_dicts(await services.engine.handle(media))
        await send("done")
        return said(replies)

    assert f"now has {limit - 1} evidence file(s)" in await add(TG, limit - 1)
    assert f"now has {limit} evidence file(s)" in await add(WEB, 1)
    assert f"limit of {limit} files" in await add(WEB, 1)
    async with services.database.sessions() as session:
        complaint = await session.scalar(select(Complaint).where(Complaint.number == number))
        assert complaint is not None
        assert await complaints.count_evidence(session=session, complaint_id=complaint.id) == limit


async def test_wrong_codes_are_counted_within_an_hour(services: Services, clock: Clock) -> None:
    send = sender(services, WEB)
    for _ in range(4):
        await send("link 000000")
    clock.advance(hours=1, seconds=1)
    assert "4 tries left" in said(await send("link 000000"))
    # Another consumer's wrong codes do not count against this one.
    for _ in range(4):
        await sender(services, WEB2)("link 000000")
    assert "3 tries left" in said(await send("link 000000"))
