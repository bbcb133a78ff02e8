"""A consumer's data export over HTTP: the web chat's download and WeChat's signed page.

``GET /chat/my-data.json`` reads the consumer from the web chat cookie only, so a
browser can fetch its own data and nobody else's. ``GET /my-data/{token}`` serves the
page a WeChat consumer's link opens (:mod:`bots.data_rights.links`): a changed token is
refused with 403, an expired one with 404.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bots.data_rights.commands import export_summary
from bots.data_rights.links import LinkExpired, LinkInvalid
from bots.web import identity as web_identity
from bots.web.deps import ServicesDep
from bots.web.identity import WebConsumerDep
from bots.web.schemas.errors import Problem
from bots.web.schemas.my_data import MyData
from dialogs.data_rights import summary_text
from dialogs.texts import t
from dialogs.vocabulary import Platform
from storage import conversations, my_data
from storage.models import Identity

router = APIRouter(tags=["data rights"])
_PAGES = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
# The page's URL is the credential: keep it out of caches and other sites' logs.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _download(body: bytes) -> Response:
    return Response(
        body,
        media_type="application/json",
        headers={**PRIVATE, "Content-Disposition": 'attachment; filename="my-data.json"'},
    )


@router.get(
    "/chat/my-data.json",
    response_class=Response,
    responses={
        200: {
            "model": MyData,
            "description": "the export, as a download (``my-data.json``)",
            "content": {"application/json": {}},
        },
        404: {"model": Problem, "description": "nothing is held for this browser"},
    },
)
async def web_export(request: Request, services: ServicesDep, consumer: WebConsumerDep) -> Response:
    """This browser's consumer's data (every linked channel) as a JSON file."""
    if consumer.fresh:
        raise HTTPException(404, "nothing is held for this browser")
    async with services.database.sessions() as session:
        identity = await conversations.find_identity(
            session=session, platform=Platform.WEB, external_id=consumer.user_id
        )
        if identity is None:
            raise HTTPException(404, "nothing is held for this browser")
        document = await my_data.export(
            session=session, cipher=services.cipher, identity_id=identity.id, now=services.now()
        )
    response = _download(my_data.to_json(document))
    web_identity.remember(response, consumer, request, services.settings.resolved_secret_key)
    return response


@router.get("/my-data/{token}", response_class=HTMLResponse)
async def linked_export(token: str, services: ServicesDep, download: bool = False) -> Response:
    """The data export a signed link (sent in WeChat) opens; ``?download=1`` for the file."""
    signer = services.engine.runner.links_signer
    if signer is None or len(token) > 500:
        raise HTTPException(404, "not found")
    try:
        identity_id = signer.identity_for(token, services.now())
    except LinkInvalid:
        raise HTTPException(403, "this link is not valid") from None
    except LinkExpired:
        raise HTTPException(404, "this link has expired; send \"my data\" again") from None
    async with services.database.sessions() as session:
        identity = await session.get(Identity, identity_id)
        if identity is None:
            raise HTTPException(404, "not found")
        document = await my_data.export(
            session=session, cipher=services.cipher, identity_id=identity.id, now=services.now()
        )
    body = my_data.to_json(document)
    if download:
        return _download(body)
    lang = identity.language
    page = _PAGES.get_template("my_data.html").render(
        lang=lang,
        title=t(lang, "data.page_title"),
        summary=summary_text(lang, export_summary(document, "link")),
        download=t(lang, "data.page_download"),
        document=body.decode("utf-8"),
    )
    return HTMLResponse(page, headers={**PRIVATE, "X-Robots-Tag": "noindex"})
