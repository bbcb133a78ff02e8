"""The staff dossier: facts, every evidence hash, contact by right, audited."""

from __future__ import annotations

from pathlib import Path

import httpx

from bots.services import Services
from storage.models import AuditEntry
from tests.dossier.helpers import WebConsumer, case_with_pictures, evidence_hashes, pdf_text
from tests.staff.helpers import count, sign_in


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
    assert got.headers["x-dossier-sha256"] in text
    assert await count(services, AuditEntry, AuditEntry.action == "complaint.dossier") == 1
    (tmp_path / "out.pdf").write_bytes(got.content)
