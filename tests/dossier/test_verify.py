"""``weiquan dossier verify``: untouched files pass, one changed byte fails."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
from pypdf import PdfReader, PdfWriter
from typer.testing import CliRunner

from bots.cli.main import app
from bots.services import Services
from tests.dossier.helpers import WebConsumer, case_with_pictures, evidence_hashes
from tests.staff.helpers import sign_in


async def dossier_file(client: httpx.AsyncClient, services: Services, tmp_path: Path) -> Path:
    alice = WebConsumer.beside(client)
    number = await case_with_pictures(alice)
    agent = await sign_in(client, services, "agent", "li")
    got = await client.get(f"/api/v1/complaints/{number}/dossier.pdf?lang=en", headers=agent)
    assert got.status_code == 200
    path = tmp_path / "dossier.pdf"
    path.write_bytes(got.content)
    return path


def run_verify(pdf: Path, evidence: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["dossier", "verify", str(pdf), "--evidence-dir", str(evidence)]
    )
    return result.exit_code, result.output


async def test_untouched_files_verify_and_one_changed_byte_fails(
    client: httpx.AsyncClient, services: Services, tmp_path: Path
) -> None:
    pdf = await dossier_file(client, services, tmp_path)
    evidence = services.settings.evidence_dir
    code, output = run_verify(pdf, evidence)
    assert code == 0, output
    assert output.count("OK  evidence") == 2 and "FAILED" not in output
    assert output.strip().splitlines()[-1].startswith("OK  dossier")
    agent = await sign_in(client, services, "agent", "wang")
    number = PdfReader(pdf).metadata.title.split()[-1]  # type: ignore[union-attr]
    first, second = await evidence_hashes(client, agent, number)
    blob = services.blobs.path(second)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    code, output = run_verify(pdf, evidence)
    assert code == 1
    lines = output.splitlines()
    assert any(line.startswith("OK  evidence 1") and first in line for line in lines)
    changed = [line for line in lines if line.startswith("FAILED  evidence 2")]
    assert len(changed) == 1 and "content changed" in changed[0]
    assert lines[-1].startswith("FAILED  dossier")


async def test_a_missing_file_or_an_edited_manifest_fails(
    client: httpx.AsyncClient, services: Services, tmp_path: Path
) -> None:
    pdf = await dossier_file(client, services, tmp_path)
    empty = tmp_path / "elsewhere"
    code, output = run_verify(pdf, empty)
    assert code == 1 and output.count("is missing from") == 2
    # Someone swaps the embedded manifest for one with a different amount.
    reader = PdfReader(pdf)
    manifest = reader.attachments["manifest.json"][0]
    forged = manifest.replace(b'"amount":"3999.00"', b'"amount":"399.00"')
    assert forged != manifest
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.add_metadata(dict(reader.metadata or {}))
    writer.add_attachment("manifest.json", forged)
    out = io.BytesIO()
    writer.write(out)
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(out.getvalue())
    code, output = run_verify(edited, services.settings.evidence_dir)
    assert code == 1
    assert "FAILED  recorded manifest hash" in output
    assert "FAILED  manifest hash printed on every page" in output


def test_a_file_that_is_no_dossier_fails_cleanly(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    code, output = run_verify(junk, tmp_path)
    assert code == 1 and output.startswith("FAILED")
