"""A merchant downloads the dossier of its forwarded case: its entries, no staff notes."""

from __future__ import annotations

from pathlib import Path

import httpx

from bots.services import Services
from tests.dossier.helpers import pdf_text
from tests.merchants.helpers import accept_link_forward, make_merchant, merchant_sign_in
from tests.staff.helpers import WebConsumer, file_by_chat, sign_in


async def test_a_merchant_gets_the_dossier_of_its_forwarded_case_only(
    client: httpx.AsyncClient, services: Services, tmp_path: Path
) -> None:
    mine = await file_by_chat(WebConsumer.beside(client), photo=True)
    other = await file_by_chat(WebConsumer.beside(client))
    staff = await sign_in(client, services, "supervisor")
    a = await make_merchant(services, "苏宁易购")
    b = await make_merchant(services, "国美电器")
    shop_a = await merchant_sign_in(client, services, a, "shop-a")
    await merchant_sign_in(client, services, b, "shop-b")
    await accept_link_forward(client, staff, mine, a)
    await accept_link_forward(client, staff, other, b)
    await client.post(f"/api/v1/complaints/{mine}/notes", headers=staff,
                      json={"text": "INTERNALNOTE refuses a lot"})  # fmt: skip
    await client.post(f"/api/v1/complaints/{mine}/messages", headers=staff,
                      json={"text": "STAFFTOCONSUMER question"})  # fmt: skip

    got = await client.get(f"/api/v1/merchant/complaints/{mine}/dossier.pdf", headers=shop_a)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    text = pdf_text(got.content, tmp_path)
    assert mine in text and got.headers["x-dossier-sha256"] in text.replace("\n", "")
    assert "INTERNALNOTE" not in text and "STAFFTOCONSUMER" not in text
    # The consumer was asked and has not agreed: no contact details.
    assert "13812345678" not in text
    for number in (other, "20990101000001"):
        url = f"/api/v1/merchant/complaints/{number}/dossier.pdf"
        assert (await client.get(url, headers=shop_a)).status_code == 404
    assert (await client.get(f"/api/v1/merchant/complaints/{mine}/dossier.pdf",
                             headers=staff)).status_code == 403  # fmt: skip
