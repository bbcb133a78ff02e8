"""Making evidence dossiers: read the case, build the manifest, thumbnails, render.

:func:`make_dossier` is the one entry point every reader goes through — the staff API
and console, the consumer's chat link, a Telegram document, and a merchant's download
of a forwarded case — each with its :class:`storage.dossier.Audience`. A merchant's
download is ``make_dossier(services, number, audience=Audience(staff=False,
contact=complaint.consent_share), language=...)``: the consumer's view (no internal
notes), with contact details only when the consumer agreed to share them. Rendering and
thumbnails are CPU and file work, so they run in a thread.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from bots.dossier import pdf as dossier_pdf
from bots.dossier.links import parse_document_ref
from bots.services import Services
from bots.staff.errors import NotFound
from bots.staff.reach import may_see_contact
from dialogs.vocabulary import Language
from storage import audit, dossier
from storage.blobs import BlobStore
from storage.models import Staff

log = logging.getLogger("weiquan.dossier")
THUMB_PIXELS = (320, 320)
# Pillow refuses (DecompressionBombError) pictures over twice this; a phone photo is ~50 M.
Image.MAX_IMAGE_PIXELS = 100_000_000


@dataclass(frozen=True)
class Dossier:
    """A rendered dossier: the PDF, its manifest hash and a file name for downloads."""

    pdf: bytes
    sha256: str
    number: str

    @property
    def file_name(self) -> str:
        safe = "".join(ch for ch in self.number if ch.isascii() and ch.isalnum())[:32]
        return f"dossier-{safe}.pdf"


async def make_dossier(
    services: Services, number: str, *, audience: dossier.Audience, language: str
) -> Dossier | None:
    """The dossier of complaint ``number`` for ``audience``; None when there is none."""
    async with services.database.sessions() as session:
        found = await dossier.load(session=session, number=number)
    if found is None:
        return None
    manifest = dossier.build(
        found,
        audience=audience,
        language=Language.parse(language, services.settings.language),
        cipher=services.cipher,
        generated_at=services.now(),
    )
    pdf = await asyncio.to_thread(_render, services.blobs, manifest)
    return Dossier(pdf=pdf, sha256=dossier.digest(manifest), number=found.complaint.number)


async def for_staff(services: Services, staff: Staff, number: str, language: str) -> Dossier:
    """The staff dossier, contact details only for those who may see them; audited.

    Raises:
        NotFound: no complaint ``number``.
    """
    async with services.database.transaction() as session:
        found = await dossier.load(session=session, number=number)
        if found is None:
            raise NotFound("no_complaint", number=number)
        contact = may_see_contact(staff, found.complaint)
        audit.record(
            session,
            staff=staff,
            action="complaint.dossier",
            target=number,
            now=services.now(),
            detail={"contact": contact},
        )
    made = await make_dossier(
        services, number, audience=dossier.Audience(staff=True, contact=contact), language=language
    )
    if made is None:  # deleted between the two reads
        raise NotFound("no_complaint", number=number)
    return made


async def consumer_document(services: Services, ref: str) -> tuple[str, bytes] | None:
    """The consumer dossier a reply's ``document`` names (Telegram), as (name, PDF).

    The reference is made by the command runner after it checked that the complaint is
    the consumer's own; it never comes from the consumer.
    """
    parsed = parse_document_ref(ref)
    if parsed is None:
        return None
    language, number = parsed
    made = await make_dossier(services, number, audience=dossier.CONSUMER, language=language)
    return (made.file_name, made.pdf) if made is not None else None


def thumbnails(blobs: BlobStore, manifest: dict[str, object]) -> dict[int, bytes]:
    """Small PNGs of the stored pictures among the manifest's evidence, by evidence id.

    A picture Pillow cannot read (damaged, HEIC, too large) gets no thumbnail; the
    dossier still lists it with its hash.
    """
    out: dict[int, bytes] = {}
    items = manifest.get("evidence")
    for item in items if isinstance(items, list) else []:
        if not dossier.is_image(item):
            continue
        try:
            with Image.open(blobs.path(str(item["sha256"]))) as picture:
                picture.thumbnail(THUMB_PIXELS)
                buffer = io.BytesIO()
                picture.convert("RGB").save(buffer, format="PNG")
        except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
            log.info("no thumbnail for evidence", extra={"evidence": item.get("id")})
            continue
        out[int(item["id"])] = buffer.getvalue()
    return out


def _render(blobs: BlobStore, manifest: dict[str, object]) -> bytes:
    return dossier_pdf.render(manifest, thumbnails(blobs, manifest))
