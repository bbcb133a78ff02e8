"""Evidence dossier downloads: staff (``/api/v1``, ``/console``) and consumers (``/chat``).

Staff get every timeline entry, contact details only with the right to see them, and
an audit entry. A consumer gets the consumer dossier (no internal notes, assignments or
contact details) of a complaint they own, judged from the identity cookie (linked
identities count) or from a signed 24-hour link; anything else is the same 404, so a
number cannot be probed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import JSONResponse, Response

from bots.dossier import build as dossiers
from bots.services import Services
from bots.staff.auth import StaffDep
from bots.staff.errors import ActionError
from bots.web.deps import ServicesDep
from bots.web.evidence_download import SAFETY_HEADERS
from bots.web.identity import WebConsumerDep
from bots.web.routes.console_base import LangDep, SignedDep
from bots.web.routes.staff_api import refused
from bots.web.schemas.errors import SIGNED_IN, Problem
from bots.web.schemas.files import PDF_RESPONSE
from dialogs.vocabulary import Language, Platform
from storage import complaints, conversations, dossier, links
from storage.models import Identity

router = APIRouter(tags=["evidence dossier"])
NumberPath = Annotated[str, Path(max_length=32)]
LangQ = Annotated[Language | None, Query(description="default: WEIQUAN_LANGUAGE")]
NOT_FOUND = "no dossier of that complaint for you"
CONSUMER_PDF: dict[int | str, dict[str, Any]] = {
    **PDF_RESPONSE,
    404: {"model": Problem, "description": "no such complaint of this consumer's"},
}


def pdf_response(made: dossiers.Dossier) -> Response:
    """The PDF as a download that no cache keeps, inert like evidence downloads."""
    return Response(
        made.pdf,
        media_type="application/pdf",
        headers={
            **SAFETY_HEADERS,
            "Content-Disposition": f'attachment; filename="{made.file_name}"',
            "X-Dossier-SHA256": made.sha256,
            "Cache-Control": "private, no-store",
            # Consumer links carry a token: no referrer, no index.
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        },
    )


@router.get(
    "/api/v1/complaints/{number}/dossier.pdf",
    tags=["staff API"],
    response_class=Response,
    responses={**SIGNED_IN, **PDF_RESPONSE},
)
async def staff_dossier(
    number: NumberPath, staff: StaffDep, services: ServicesDep, lang: LangQ = None
) -> Response:
    """The evidence dossier (PDF); its manifest hash is in ``X-Dossier-SHA256``."""
    try:
        made = await dossiers.for_staff(services, staff, number, lang or services.settings.language)
    except ActionError as error:
        return refused(error)
    return pdf_response(made)


@router.get("/console/complaints/{number}/dossier.pdf", include_in_schema=False)
async def console_dossier(
    number: NumberPath, signed: SignedDep, services: ServicesDep, lang: LangDep
) -> Response:
    """The console's download of the staff dossier, in the console's language."""
    try:
        made = await dossiers.for_staff(services, signed.staff, number, lang)
    except ActionError as error:
        raise HTTPException(error.status, error.message) from None
    return pdf_response(made)


@router.get("/chat/dossier/{number}.pdf", response_class=Response, responses=CONSUMER_PDF)
async def web_dossier(
    number: NumberPath, services: ServicesDep, consumer: WebConsumerDep
) -> Response:
    """The dossier of one of this browser's consumer's complaints."""
    identity = None
    if not consumer.fresh:
        async with services.database.sessions() as session:
            identity = await conversations.find_identity(
                session=session, platform=Platform.WEB, external_id=consumer.user_id
            )
    return await _consumer_pdf(services, identity, number)


@router.get("/chat/dossier/link/{token}", response_class=Response, responses=CONSUMER_PDF)
async def linked_dossier(
    token: Annotated[str, Path(max_length=500)], services: ServicesDep
) -> Response:
    """The dossier a signed link names (WeChat), for 24 hours."""
    signed = services.engine.runner.dossier_links.read(token)
    if signed is None:
        return JSONResponse({"detail": "this link is not valid or has expired"}, 404)
    async with services.database.sessions() as session:
        identity = await session.get(Identity, signed.identity_id)
    return await _consumer_pdf(services, identity, signed.number)


async def _consumer_pdf(services: Services, identity: Identity | None, number: str) -> Response:
    if identity is None:
        raise HTTPException(404, NOT_FOUND)
    async with services.database.sessions() as session:
        owners = await links.group_members(session=session, identity_id=identity.id)
        own = await complaints.own_complaint(
            session=session, identity=identity, number=number, owners=owners
        )
    if own is None:
        raise HTTPException(404, NOT_FOUND)
    made = await dossiers.make_dossier(
        services, own.number, audience=dossier.CONSUMER, language=identity.language
    )
    if made is None:
        raise HTTPException(404, NOT_FOUND)
    return pdf_response(made)
