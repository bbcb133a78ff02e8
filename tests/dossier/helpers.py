"""Helpers for dossier tests: a case with real pictures, PDFs read back as text."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from tests.staff.helpers import WebConsumer, sign_in
from tests.support.driver import COMPLAINT, filed, walk

__all__ = [
    "WebConsumer",
    "case_with_pictures",
    "evidence_hashes",
    "pdf_text",
    "picture",
    "sign_in",
]


def picture(color: tuple[int, int, int], size: tuple[int, int] = (640, 480)) -> bytes:
    """A real JPEG photo of one colour with a stripe (so thumbnails have something on)."""
    image = Image.new("RGB", size, color)
    for x in range(size[0] // 3, size[0] // 2):
        for y in range(size[1]):
            image.putpixel((x, y), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


async def case_with_pictures(consumer: WebConsumer) -> str:
    """A complaint filed with two photos as evidence; returns its number."""
    sent = False

    async def with_pictures(body: str) -> list[dict[str, Any]]:
        nonlocal sent
        if body == "done" and not sent:
            sent = True
            await consumer.upload(picture((200, 30, 30)), name="receipt.jpg", mime="image/jpeg")
            await consumer.upload(picture((30, 90, 200)), name="fridge.jpg", mime="image/jpeg")
        return await consumer.say(body)

    return await file_by_chat_with(consumer, with_pictures)


async def file_by_chat_with(consumer: WebConsumer, send: Any) -> str:
    replies = await walk(send, dict(COMPLAINT), until=lambda r: filed(r) is not None)
    number = filed(replies)
    assert number is not None
    return number


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "dossier") -> str:
    """The text of a PDF as poppler's pdftotext reads it."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


async def evidence_hashes(
    http: httpx.AsyncClient, headers: dict[str, str], number: str
) -> list[str]:
    detail = await http.get(f"/api/v1/complaints/{number}", headers=headers)
    assert detail.status_code == 200, detail.text
    return [item["sha256"] for item in detail.json()["evidence"]]
