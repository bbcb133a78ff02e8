"""The evidence dossier as a PDF (reportlab), with its manifest embedded (pypdf).

Chinese is set in reportlab's built-in ``STSong-Light`` CID font (Adobe's CJK font
packs, no font file to ship); runs of ASCII text (numbers, hashes, English) are set in
Helvetica and hashes in Courier, so text extractors read them back exactly. The
manifest's SHA-256 is printed in the footer of every page; the canonical manifest JSON
is embedded as ``manifest.json`` and the hash is recorded in the document information
under ``/WeiquanDossierSHA256`` (``bots.dossier.verify`` reads both).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bots.staff.labels import local_time
from dialogs.texts import list_separator, t
from storage import dossier

CJK_FONT = "STSong-Light"
MANIFEST_NAME = "manifest.json"
HASH_KEY = "/WeiquanDossierSHA256"
THUMB_POINTS = 30 * mm
_ASCII_RUN = re.compile(r"[\x20-\x7e]+")

pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
_BODY = ParagraphStyle("body", fontName=CJK_FONT, fontSize=9.5, leading=13, wordWrap="CJK")
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8, leading=11)
_H1 = ParagraphStyle("h1", parent=_BODY, fontSize=17, leading=22, spaceAfter=4)
_H2 = ParagraphStyle("h2", parent=_BODY, fontSize=12.5, leading=17, spaceBefore=10, spaceAfter=4)
_GRID = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
    ]
)


def render(manifest: dict[str, Any], thumbnails: dict[int, bytes] | None = None) -> bytes:
    """The PDF of ``manifest``; ``thumbnails`` maps evidence ids to small PNG images."""
    lang = str(manifest["language"])
    digest = dossier.digest(manifest)
    number = str(manifest["complaint"]["number"])
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{t(lang, 'dossier.title')} {number}",
        author="Weiquan",
        subject=digest,
        lang=lang,
    )
    story = _story(manifest, lang, digest, thumbnails or {})

    def footer(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Courier", 7)
        canvas.drawString(18 * mm, 10 * mm, f"{number}  SHA-256 {digest}  {canvas.getPageNumber()}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return _embed(out.getvalue(), dossier.canonical(manifest), digest)


def _embed(pdf: bytes, manifest_json: bytes, digest: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_attachment(MANIFEST_NAME, manifest_json)
    writer.add_metadata({HASH_KEY: digest})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _p(text: str | None, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(_mixed(text or ""), style)


def _mixed(text: str) -> str:
    """Escaped paragraph markup with ASCII runs in Helvetica (the CID font's Latin is poor)."""
    parts: list[str] = []
    last = 0
    for match in _ASCII_RUN.finditer(text):
        parts.append(_lines(text[last : match.start()]))
        parts.append(f'<font name="Helvetica">{_lines(match.group())}</font>')
        last = match.end()
    parts.append(_lines(text[last:]))
    return "".join(parts)


def _lines(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _mono(text: str) -> str:
    return f'<font name="Courier" size="7.5">{escape(text)}</font>'


def _when(value: str | None, lang: str) -> str:
    """A stored ISO time as people read it: ``2026-11-20 10:00 UTC+08:00``."""
    if not value:
        return t(lang, "summary.empty")
    return local_time(value)


def _story(manifest: dict[str, Any], lang: str, digest: str, thumbs: dict[int, bytes]) -> list[Any]:
    c = manifest["complaint"]
    staff = manifest["audience"] == "staff"
    story: list[Any] = [
        _p(f"{t(lang, 'dossier.title')} {c['number']}", _H1),
        _p(
            t(
                lang,
                "dossier.generated",
                at=_when(manifest["generated_at"], lang),
                zone=manifest["timezone"],
            ),
            _SMALL,
        ),
        _p(t(lang, "dossier.audience_staff" if staff else "dossier.audience_consumer"), _SMALL),
        _p(t(lang, "dossier.case"), _H2),
        _table(_fact_rows(c, lang), lang),
        _p(t(lang, "dossier.demands"), _H2),
    ]
    demands = [d["label"] for d in manifest["demands"]]
    story.append(
        _p(list_separator(lang).join(demands))
        if demands
        else _p(t(lang, "dossier.none"))
    )
    contact = manifest.get("contact")
    if contact:
        story += [
            _p(t(lang, "dossier.contact"), _H2),
            _table(
                [
                    (
                        t(lang, "field.contact_name"),
                        contact.get("name") or t(lang, "summary.empty"),
                    ),
                    (
                        t(lang, "field.contact_phone"),
                        contact.get("phone") or t(lang, "summary.empty"),
                    ),
                ],
                lang,
            ),
        ]
    story.append(_p(t(lang, "dossier.timeline"), _H2))
    rows = [(_when(e["at"], lang), _event_text(e, lang)) for e in manifest["timeline"]]
    story.append(_table(rows, lang) if rows else _p(t(lang, "dossier.none")))
    story.append(_p(t(lang, "dossier.evidence"), _H2))
    for n, item in enumerate(manifest["evidence"], start=1):
        story += [_evidence(n, item, lang, thumbs.get(int(item["id"]))), Spacer(1, 2 * mm)]
    if not manifest["evidence"]:
        story.append(_p(t(lang, "dossier.none")))
    story += [
        _p(t(lang, "dossier.manifest"), _H2),
        _p(t(lang, "dossier.manifest_text"), _SMALL),
        Spacer(1, 2 * mm),
        Paragraph(f"{escape(t(lang, 'dossier.manifest_hash'))}: {_mono(digest)}", _BODY),
    ]
    return story


def _fact_rows(c: dict[str, Any], lang: str) -> list[tuple[str, str | None]]:
    amount = t(lang, "summary.money", amount=c["amount"]) if c["amount"] is not None else None
    category = c["category_label"]
    rows = [
        (t(lang, "dossier.number"), c["number"]),
        (t(lang, "field.type"), c["type_label"]),
        (t(lang, "field.category"), category),
        (t(lang, "field.subcategory"), c["subcategory_label"]),
        (t(lang, "dossier.status"), c["status_label"]),
        (t(lang, "field.merchant_name"), c["merchant_name"]),
        (t(lang, "field.merchant_address"), c["merchant_address"]),
        (t(lang, "field.order_number"), c["order_number"]),
        (t(lang, "field.incident_date"), c["incident_date"]),
        (t(lang, "field.amount"), amount),
        (t(lang, "dossier.filed_at"), _when(c["filed_at"], lang)),
    ]
    for key in ("accepted_at", "resolved_at", "closed_at"):
        if c[key]:
            rows.append((t(lang, f"dossier.{key}"), _when(c[key], lang)))
    rows.append((t(lang, "field.description"), c["description"]))
    return rows


def _table(rows: Sequence[tuple[str, str | None]], lang: str) -> Table:
    empty = t(lang, "summary.empty")
    cells = [[_p(label), _p(value or empty)] for label, value in rows]
    table = Table(cells, colWidths=[38 * mm, None])
    table.setStyle(_GRID)
    return table


def _event_text(e: dict[str, Any], lang: str) -> str:
    kind = t(lang, f"dossier.kinds.{e['kind']}")
    if kind == f"dossier.kinds.{e['kind']}":
        kind = str(e["kind"])
    if e["kind"] == "status" and e["to_status"]:
        kind = t(
            lang,
            "dossier.event_status",
            from_status=e["from_label"] or "—",
            to_status=e["to_label"],
        )
    actor_role = str(e["actor"]).split(":", 1)[0]
    actor = t(lang, f"dossier.actors.{actor_role}")
    who = str(e["actor"]).replace(actor_role, actor, 1) if ":" in str(e["actor"]) else actor
    head = f"{kind} | {who}" + (f" | {t(lang, 'dossier.internal')}" if e["internal"] else "")
    note = " — ".join(str(part) for part in (e.get("offer_kind"), e["note"]) if part)
    if e.get("fulfil_by"):
        due = t(lang, "dossier.fulfil_by", date=e["fulfil_by"])
        note = f"{note} · {due}" if note else due
    return head + (f"\n{note}" if note else "")


def _evidence(n: int, item: dict[str, Any], lang: str, thumb: bytes | None) -> Table:
    lines = [
        f"{t(lang, 'dossier.file', n=n)}: {item['file_name'] or item['kind']}",
        f"{item['kind']} | {item['mime'] or '?'} | "
        + (t(lang, "dossier.size", size=item["size"]) if item["size"] is not None else "?"),
        t(lang, "dossier.received", at=_when(item["received_at"], lang)),
    ]
    if item["caption"]:
        lines.append(str(item["caption"]))
    text = _mixed("\n".join(lines)) + "<br/>"
    text += (
        f"SHA-256: {_mono(item['sha256'])}"
        if item["sha256"]
        else _mixed(t(lang, "dossier.not_stored", status=item["status"]))
    )
    picture: Any = ""
    if thumb is not None:
        picture = Image(
            io.BytesIO(thumb), width=THUMB_POINTS, height=THUMB_POINTS, kind="proportional"
        )
    table = Table([[picture, Paragraph(text, _BODY)]], colWidths=[THUMB_POINTS + 4 * mm, None])
    table.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (-1, -1), 0.4, colors.grey)]
        )
    )
    return table
