"""The data export a browser downloads is what ``/docs`` says it is (``MyData``)."""

from __future__ import annotations

import httpx

from bots.services import Services
from bots.web.schemas.my_data import MyData
from tests.staff.helpers import file_by_chat, sign_in
from tests.support.web_consumer import WebConsumer


async def test_the_download_matches_its_documented_schema_key_for_key(
    client: httpx.AsyncClient, services: Services
) -> None:
    async with WebConsumer.beside(client) as alice, WebConsumer.beside(client) as bob:
        number = await file_by_chat(alice, photo=True)
        staff = await sign_in(client, services, "supervisor")
        sent = await client.post(
            f"/api/v1/complaints/{number}/messages", headers=staff, json={"text": "Which model?"}
        )
        assert sent.status_code == 202
        await alice.say("The X200, bought in May.")
        await bob.say("hi")
        await bob.say("1")  # a draft, left half-way

        for consumer, complaints in ((alice, 1), (bob, 0)):
            download = await consumer.http.get("/chat/my-data.json")
            assert download.status_code == 200
            # Every key documented, nothing undocumented (the records forbid extra keys).
            document = MyData.model_validate_json(download.content)
            assert len(document.complaints) == complaints
        mine = MyData.model_validate_json((await alice.http.get("/chat/my-data.json")).content)
        assert mine.complaints[0].evidence and mine.complaints[0].timeline[0].to == "submitted"
        written = mine.messages.your_messages_on_cases
        assert [m.text for m in written] == ["The X200, bought in May."]
        theirs = MyData.model_validate_json((await bob.http.get("/chat/my-data.json")).content)
        assert theirs.messages.drafts and theirs.messages.drafts[0].answers is not None

    documented = client._transport.app.openapi()  # type: ignore[attr-defined]
    answer = documented["paths"]["/chat/my-data.json"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MyData"
    }
