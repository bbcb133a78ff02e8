"""A Telegram consumer's "dossier" arrives as a PDF document (sendDocument)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx

from bots.delivery import worker
from tests.dossier.helpers import pdf_text
from tests.fakes.telegram_api import FakeTelegram

from . import updates
from .test_webhook import PNG, UID, file_complaint, post


async def test_the_dossier_is_sent_as_a_document_once(
    client: httpx.AsyncClient, services: Any, fake: FakeTelegram, tmp_path: Path
) -> None:
    number = await file_complaint(client, fake, UID)
    fake.files["PHOTO_L"] = PNG
    assert await worker.fetch_due(services) == 1
    update = updates.text(UID, "dossier")
    assert (await post(client, update)).status_code == 200
    sent = fake.sent_documents(UID)
    assert len(sent) == 1
    assert sent[0]["filename"] == f"dossier-{number}.pdf"
    assert number in sent[0]["caption"]
    text = pdf_text(sent[0]["bytes"], tmp_path)
    assert number in text and hashlib.sha256(PNG).hexdigest() in text
    assert "+8613812345678" not in text  # the consumer's dossier carries no contact details
    # A redelivery of the same update sends nothing again.
    assert (await post(client, update)).status_code == 200
    assert len(fake.sent_documents(UID)) == 1


async def test_another_telegram_user_gets_no_document(
    client: httpx.AsyncClient, fake: FakeTelegram
) -> None:
    await file_complaint(client, fake, UID)
    await post(client, updates.text(UID + 1, "dossier"))
    assert fake.sent_documents(UID + 1) == []
    assert "no complaints yet" in " ".join(fake.sent_texts(UID + 1))
