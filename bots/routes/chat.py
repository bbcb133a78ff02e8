"""The web chat: a page at ``/chat`` and its JSON endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse

from adapters import web
from adapters.fields import Identifier, Line
from bots.deps import ServicesDep
from dialogs.events import Reply
from dialogs.texts import t
from storage import conversations, outbox
from storage.blobs import BlobRefused, BlobTooLarge

router = APIRouter(tags=["web chat"])
PAGE = Path(__file__).parent.parent / "templates" / "chat.html"
CHUNK = 256 * 1024


@router.get("/chat", response_class=HTMLResponse, include_in_schema=False)
async def chat_page() -> HTMLResponse:
    """The web chat page."""
    return HTMLResponse(PAGE.read_text(encoding="utf-8"))


@router.post("/chat/messages", response_model=web.WebReplies)
async def post_message(message: web.WebMessage, services: ServicesDep) -> JSONResponse:
    """Send one chat message and get the bot's replies."""
    event = web.to_event(message, now=services.engine.clock())
    return web.render_json(await services.engine.handle(event))


@router.post("/chat/uploads", response_model=web.WebReplies)
async def upload(
    request: Request,
    services: ServicesDep,
    user: Annotated[str, Form(min_length=1, max_length=64, pattern=web.USER_PATTERN.pattern)],
    file: UploadFile,
    message_id: Annotated[Identifier | None, Form(max_length=100)] = None,
    lang: Annotated[Line | None, Form(max_length=16)] = None,
) -> web.WebReplies:
    """Upload one evidence file (multipart ``user`` + ``file``)."""
    try:
        blob = await services.blobs.put_stream(_chunks(file))
    except BlobRefused as refused:
        # A polite refusal that changes nothing: no event reaches the dialog.
        reason = "too_large" if isinstance(refused, BlobTooLarge) else "bad_type"
        language = await _language_of(services, user, lang)
        return web.render([Reply(t(language, f"evidence.{reason}"))])
    event = web.upload_event(
        user=user,
        blob=blob,
        file_name=file.filename,
        message_id=message_id,
        now=services.engine.clock(),
        lang=lang,
    )
    return web.render(await services.engine.handle(event))


@router.get("/chat/notices", response_model=web.WebReplies)
async def notices(user: str, services: ServicesDep) -> web.WebReplies:
    """Progress notices for a web chat consumer (the page polls this)."""
    if not web.USER_PATTERN.match(user):
        return web.render([])
    replies: list[Reply] = []
    async with services.database.transaction() as session:
        identity = await conversations.find_identity(
            session=session, platform="web", external_id=user
        )
        if identity is not None:
            replies = await outbox.take_for_page(
                session=session, identity=identity, now=services.engine.clock()
            )
    return web.render(replies)


async def _chunks(file: UploadFile):  # type: ignore[no-untyped-def]
    while chunk := await file.read(CHUNK):
        yield chunk


async def _language_of(services: ServicesDep, user: str, lang: str | None) -> str:
    async with services.database.sessions() as session:
        identity = await conversations.find_identity(
            session=session, platform="web", external_id=user
        )
    if identity is not None:
        return identity.language
    if lang:
        return "zh-CN" if lang.lower().startswith("zh") else "en"
    return services.settings.language
