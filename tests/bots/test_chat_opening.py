"""What the chat page gets before the consumer says anything, and the extra reply fields."""

from __future__ import annotations

import httpx
from sqlalchemy import delete

from bots.services import Services
from storage.models import Identity, OutboxNotice, ProcessedMessage
from tests.staff.helpers import count, file_by_chat, sign_in
from tests.support.web_consumer import WebConsumer


async def test_a_new_browser_gets_the_opening_words_and_nothing_is_stored(
    client: httpx.AsyncClient, services: Services
) -> None:
    page = WebConsumer.beside(client)
    replies = await page.http.get("/chat/history", params={"lang": "en"})
    assert replies.status_code == 200
    opening = replies.json()["replies"]
    assert opening[0]["text"].startswith("Hello, this is Weiquan")
    assert opening[-1]["step"] == "start" and opening[-1]["lang"] == "en"
    assert await count(services, ProcessedMessage) == 0
    assert await count(services, Identity) == 0
    # Asked twice (a reload), the same words; still nothing stored.
    assert (await page.history()) == (await page.history())
    assert await count(services, ProcessedMessage) == 0
    # The menu's buttons answer at once: the first real message is the first handled.
    category = await page.say("File a complaint", choice="complaint", step="start")
    assert category[-1]["step"] == "category"
    assert category[-1]["progress"] == {"step": 1, "of": 13}
    assert category[-1]["choices"][0]["label"] == "Household appliances"
    assert await count(services, ProcessedMessage) == 1


async def test_a_reload_after_the_history_expired_recalls_open_requests(
    client: httpx.AsyncClient, services: Services
) -> None:
    kim = WebConsumer(client)
    number = await file_by_chat(kim)
    agent = await sign_in(client, services, "agent")
    asked = await client.post(
        f"/api/v1/complaints/{number}/request-evidence",
        headers=agent,
        json={"note": "Please send the invoice."},
    )
    assert asked.status_code == 202
    async with services.database.transaction() as session:
        # The dedupe table was pruned and the notice is long gone: no history at all.
        await session.execute(delete(ProcessedMessage))
        await session.execute(delete(OutboxNotice))
    opening = await kim.history()
    texts = " ".join(r["text"] for r in opening)
    assert f"complaint {number}: Please send the invoice." in texts
    assert opening[-1]["step"] == "adding_evidence"
    assert [c["id"] for c in opening[-1]["choices"]] == ["done"]
    assert await count(services, ProcessedMessage) == 0
    # Another browser sees none of it.
    stranger = WebConsumer.beside(client)
    assert number not in str(await stranger.history())


async def test_staff_messages_are_labelled_on_the_page_and_in_its_history(
    client: httpx.AsyncClient, services: Services
) -> None:
    kim = WebConsumer(client)
    number = await file_by_chat(kim)
    agent = await sign_in(client, services, "agent")
    sent = await client.post(
        f"/api/v1/complaints/{number}/messages", headers=agent, json={"text": "Any receipt?"}
    )
    assert sent.status_code == 202
    polled = await kim.notices()
    assert [r["sender"] for r in polled] == ["staff"]
    assert "Any receipt?" in polled[0]["text"]
    assert [r["sender"] for r in await kim.history() if "Any receipt?" in r["text"]] == ["staff"]
    # The bot's own words name no sender.
    assert {r["sender"] for r in await kim.say("help")} == {None}


async def test_replies_carry_the_language_after_a_switch_in_the_chat(
    client: httpx.AsyncClient,
) -> None:
    page = WebConsumer.beside(client, lang="en")
    assert (await page.say("hi"))[-1]["lang"] == "en"
    switched = await page.say("中文")
    assert switched[-1]["lang"] == "zh-CN"
    # The contract fields are unchanged: text and choices as before.
    assert {"text", "choices"} <= set(switched[-1])
    assert all(set(c) == {"id", "label"} for c in switched[-1]["choices"])


async def test_demands_are_asked_as_several_choices(client: httpx.AsyncClient) -> None:
    page = WebConsumer.beside(client, lang="en")
    script = ["hi", "1", "1", "1", "no", "Suning", "skip", "skip", "yesterday", "3999",
              "The fridge stopped cooling after two days."]  # fmt: skip
    for answer in script:
        replies = await page.say(answer)
    assert replies[-1]["step"] == "demands" and replies[-1]["multi"] is True
    assert replies[-1]["progress"] == {"step": 10, "of": 14}
    chosen = await page.say("1 5")
    assert chosen[-1]["step"] == "evidence"
