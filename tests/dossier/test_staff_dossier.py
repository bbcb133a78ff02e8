"""The staff dossier: facts, every evidence hash, contact by right, notes, audited."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from sqlalchemy import select

from bots.services import Services
from storage.models import AuditEntry
from tests.dossier.helpers import WebConsumer, case_with_pictures, evidence_hashes, pdf_text
from tests.staff.helpers import PASSWORD, count, make_staff, sign_in


async def test_the_dossier_holds_the_number_and_every_evidence_hash(
    client: httpx.AsyncClient, services: Services, tmp_path: Path
) -> None:
    alice = WebConsumer.beside(client)
    number = await case_with_pictures(alice)
    agent = await sign_in(client, services, "agent", "li")
    hashes = await evidence_hashes(client, agent, number)
    assert len(hashes) == 2
    got = await client.get(f"/api/v1/complaints/{number}/dossier.pdf?lang=en", headers=agent)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    text = pdf_text(got.content, tmp_path)
    assert number in text
    for sha in hashes:
        assert sha in text
    assert text.count(got.headers["x-dossier-sha256"]) >= 2  # the footer and the summary
    for words in ("Household appliances", "CNY 3999.00", "Refund", "UTC+08:00", "image/jpeg"):
        assert words in text
    assert await count(services, AuditEntry, AuditEntry.action == "complaint.dossier") == 1


async def test_the_chinese_dossier_uses_chinese_labels(
    client: httpx.AsyncClient, services: Services, tmp_path: Path
) -> None:
    alice = WebConsumer.beside(client)
    number = await case_with_pictures(alice)
    agent = await sign_in(client, services, "agent", "li")
    got = await client.get(f"/api/v1/complaints/{number}/dossier.pdf?lang=zh-CN", headers=agent)
    assert got.status_code == 200
    text = pdf_text(got.content, tmp_path)
    for words in ("证据包", "家用电器", "3999.00 元", "退款", "苏宁易购", number):
        assert words in text
    # Without ?lang the staff language (WEIQUAN_LANGUAGE, zh-CN here) is used.
    default = await client.get(f"/api/v1/complaints/{number}/dossier.pdf", headers=agent)
    assert "证据包" in pdf_text(default.content, tmp_path, "default")


async def test_contact_details_only_for_staff_who_may_see_them(
    client: httpx.AsyncClient, services: Services, tmp_path: Path
) -> None:
    alice = WebConsumer.beside(client)
    number = await case_with_pictures(alice)
    agent = await sign_in(client, services, "agent", "li")
    boss = await sign_in(client, services, "supervisor", "boss")
    url = f"/api/v1/complaints/{number}/dossier.pdf?lang=en"
    unassigned = pdf_text((await client.get(url, headers=agent)).content, tmp_path, "agent")
    for secret in ("张三", "张*", "13812345678", "****5678"):
        assert secret not in unassigned
    supervised = pdf_text((await client.get(url, headers=boss)).content, tmp_path, "boss")
    assert "张三" in supervised and "+8613812345678" in supervised
    # Once the case is assigned to the agent, the agent may see them too.
    await client.post(f"/api/v1/complaints/{number}/assign", headers=boss, json={"assignee": "li"})
    assigned = pdf_text((await client.get(url, headers=agent)).content, tmp_path, "assigned")
    assert "+8613812345678" in assigned
    async with services.database.sessions() as session:
        flags = list(
            await session.scalars(
                select(AuditEntry.detail)
                .where(AuditEntry.action == "complaint.dossier")
                .order_by(AuditEntry.id)
            )
        )
    assert [flag["contact"] for flag in flags] == [False, True, True]


async def test_staff_see_internal_notes_marked_internal(
    client: httpx.AsyncClient, services: Services, tmp_path: Path
) -> None:
    alice = WebConsumer.beside(client)
    number = await case_with_pictures(alice)
    agent = await sign_in(client, services, "agent", "li")
    note = {"text": "rude shop"}
    await client.post(f"/api/v1/complaints/{number}/notes", headers=agent, json=note)
    await client.post(
        f"/api/v1/complaints/{number}/messages", headers=agent, json={"text": "Send the invoice"}
    )
    got = await client.get(f"/api/v1/complaints/{number}/dossier.pdf?lang=en", headers=agent)
    text = pdf_text(got.content, tmp_path)
    assert "rude shop" in text and "internal" in text and "Send the invoice" in text
    assert "staff:li" in text


async def test_without_a_token_or_for_an_unknown_number_nothing_is_given(
    client: httpx.AsyncClient, services: Services
) -> None:
    alice = WebConsumer.beside(client)
    number = await case_with_pictures(alice)
    assert (await client.get(f"/api/v1/complaints/{number}/dossier.pdf")).status_code == 401
    # A consumer's own cookie is no staff token either.
    assert (await alice.http.get(f"/api/v1/complaints/{number}/dossier.pdf")).status_code == 401
    agent = await sign_in(client, services, "agent", "li")
    missing = await client.get("/api/v1/complaints/20990101000001/dossier.pdf", headers=agent)
    assert missing.status_code == 404
    bad_lang = await client.get(f"/api/v1/complaints/{number}/dossier.pdf?lang=fr", headers=agent)
    assert bad_lang.status_code == 422
    assert await count(services, AuditEntry, AuditEntry.action == "complaint.dossier") == 0


async def test_the_console_links_and_serves_the_dossier_to_its_signed_in_user(
    client: httpx.AsyncClient, services: Services, tmp_path: Path
) -> None:
    number = await case_with_pictures(WebConsumer.beside(client))
    url = f"/console/complaints/{number}/dossier.pdf"
    assert (await client.get(url)).headers["location"].startswith("/console/login")
    await make_staff(services, "ag", "agent")
    login = await client.get("/console/login?lang=en")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token
    await client.post(
        "/console/login", data={"username": "ag", "password": PASSWORD, "csrf": token.group(1)}
    )
    page = await client.get(f"/console/complaints/{number}")
    assert f'href="{url}"' in page.text
    got = await client.get(url)
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    text = pdf_text(got.content, tmp_path)
    assert "Evidence dossier" in text and number in text and "13812345678" not in text
