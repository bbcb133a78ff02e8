"""The web chat: a page at ``/chat`` and its JSON endpoints.

Every endpoint takes the consumer from the signed cookie (:mod:`bots.web.identity`)
and sets one when the browser has none; nothing a client sends names the consumer.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from adapters import web
from adapters.fields import Identifier, Line
from bots.web import identity as web_identity
from bots.web.deps import ServicesDep
from bots.web.identity import WebConsumer, WebConsumerDep
from bots.web.schemas.errors import INVALID
from bots.web.upload_limit import UploadLimiterDep
from dialogs.conversation import Conversation
from dialogs.flow import load_flow
from dialogs.my_complaints import COMMENT_MAX_LENGTH
from dialogs.opening import opening
from dialogs.replies import Reply
from dialogs.texts import t
from dialogs.vocabulary import Language, Platform
from storage import chat_history, conversations, evidence, outbox
from storage.blobs import BlobRefused, BlobTooLarge

router = APIRouter(tags=["web chat"])
PAGE = Path(__file__).parent.parent / "templates" / "chat.html"
STATIC = Path(__file__).parent.parent / "static"
CHUNK = 256 * 1024
WEB = Platform.WEB
B = TypeVar("B")


@router.get("/chat", response_class=HTMLResponse, include_in_schema=False)
async def chat_page(
    request: Request, services: ServicesDep, consumer: WebConsumerDep
) -> HTMLResponse:
    """The web chat page."""
    page = HTMLResponse(_page())
    return _answer(page, request, page, services, consumer)


@lru_cache(maxsize=1)
def _page() -> str:
    # The page learns each step's input from the flow the server walks (a text area with
    # flow.yaml's limits, a date picker, a numeric keyboard), never from a copy of it.
    steps = json.dumps(step_inputs(), ensure_ascii=False).replace("<", "\\u003c")
    return PAGE.read_text(encoding="utf-8").replace("__STEP_INPUTS__", steps)


def step_inputs() -> dict[str, dict[str, Any]]:
    """How the page takes the answer of each free-input step of the flow."""
    inputs: dict[str, dict[str, Any]] = {}
    for name, step in load_flow().steps.items():
        if step.kind == "text":
            entry: dict[str, Any] = {
                "kind": "text",
                "min": int(step.params.get("min_length", 1)),
                "max": int(step.params.get("max_length", 2000)),
            }
            # A description is long prose: a text area with a counter.
            entry["multiline"] = entry["max"] > 300
            inputs[name] = entry
        elif step.kind in ("date", "amount", "phone"):
            inputs[name] = {"kind": step.kind}
    inputs["rating_comment"] = {"kind": "text", "max": COMMENT_MAX_LENGTH, "min": 1,
                                "multiline": True}
    return inputs


@router.post("/chat/messages", response_model=web.WebReplies, responses=INVALID)
async def post_message(
    message: web.WebMessage,
    request: Request,
    response: Response,
    services: ServicesDep,
    consumer: WebConsumerDep,
) -> web.WebReplies:
    """Send one chat message and get the bot's replies."""
    event = web.to_event(message, user=consumer.user_id, now=services.engine.clock())
    replies = await services.engine.handle(event)
    return _answer(web.render(replies), request, response, services, consumer)


@router.post("/chat/uploads", response_model=web.WebReplies, responses=INVALID)
async def upload(
    request: Request,
    response: Response,
    services: ServicesDep,
    consumer: WebConsumerDep,
    limiter: UploadLimiterDep,
    file: UploadFile,
    message_id: Annotated[Identifier | None, Form(max_length=100)] = None,
    lang: Annotated[Line | None, Form(max_length=16)] = None,
    # Sent by old pages; ignored (the identity comes from the cookie).
    user: Annotated[str | None, Form(max_length=64)] = None,
) -> web.WebReplies:
    """Upload one evidence file (multipart ``file``); kept only if it becomes evidence."""
    if not await limiter.allow(consumer.user_id):
        language = await _language_of(services, consumer, lang)
        refusal = [Reply(t(language, "evidence.upload_rate"))]
        return _answer(web.render(refusal), request, response, services, consumer)
    try:
        async with services.blobs.staging(_chunks(file)) as staged:
            event = web.upload_event(
                user=consumer.user_id,
                blob=staged.blob,
                file_name=file.filename,
                message_id=message_id,
                now=services.engine.clock(),
                lang=lang,
            )
            replies = await services.engine.handle(event)
            # The dialog decides: at a step that takes no evidence (or over a limit) no
            # row names the file, and leaving the block removes it. A resend of the
            # same message finds the first delivery's row and keeps the file again.
            async with services.database.sessions() as session:
                keep = await evidence.recorded_from(
                    session=session,
                    platform=WEB,
                    external_id=consumer.user_id,
                    source_key=event.message_id,
                )
            if keep:
                await services.blobs.keep(staged)
    except BlobRefused as refused:
        # A polite refusal that changes nothing: no event reaches the dialog.
        language = await _language_of(services, consumer, lang)
        reason = "too_large" if isinstance(refused, BlobTooLarge) else "bad_type"
        replies = [Reply(t(language, f"evidence.{reason}"))]
    return _answer(web.render(replies), request, response, services, consumer)


@router.get("/chat/notices", response_model=web.WebReplies)
async def notices(
    request: Request, response: Response, services: ServicesDep, consumer: WebConsumerDep
) -> web.WebReplies:
    """Progress notices for this browser's consumer (the page polls this)."""
    replies: list[Reply] = []
    if not consumer.fresh:
        async with services.database.transaction() as session:
            identity = await conversations.find_identity(
                session=session, platform=WEB, external_id=consumer.user_id
            )
            if identity is not None:
                replies = await outbox.take_for_page(
                    session=session, identity=identity, now=services.engine.clock()
                )
    return _answer(web.render(replies), request, response, services, consumer)


@router.get("/chat/history", response_model=web.WebReplies, responses=INVALID)
async def history(
    request: Request,
    response: Response,
    services: ServicesDep,
    consumer: WebConsumerDep,
    lang: Annotated[Line | None, Query(max_length=16)] = None,
) -> web.WebReplies:
    """What the bot said to this browser's consumer lately, oldest first (page reloads).

    With nothing to show, the opening words instead: the greeting, any open request and
    the question the conversation is at. Nothing is stored for them.
    """
    replies: list[Reply] = []
    conv = Conversation()
    if not consumer.fresh:
        async with services.database.sessions() as session:
            identity = await conversations.find_identity(
                session=session, platform=WEB, external_id=consumer.user_id
            )
            if identity is not None:
                replies = await chat_history.recent_replies(
                    session=session, cipher=services.cipher, identity_id=identity.id
                )
                if not replies:
                    conv = await chat_history.conversation_of(
                        session=session, cipher=services.cipher, identity=identity
                    )
    if not replies:
        engine = services.engine
        replies = list(
            opening(conv, now=engine.clock(), options=engine.options, language_hint=lang)
        )
    return _answer(web.render(replies), request, response, services, consumer)


def _answer(
    body: B, request: Request, response: Response, services: ServicesDep, consumer: WebConsumer
) -> B:
    """``body``, with the identity cookie set on ``response`` for a new browser."""
    web_identity.remember(response, consumer, request, services.settings.resolved_secret_key)
    return body


async def _chunks(file: UploadFile):  # type: ignore[no-untyped-def]
    while chunk := await file.read(CHUNK):
        yield chunk


async def _language_of(services: ServicesDep, consumer: WebConsumer, lang: str | None) -> str:
    if not consumer.fresh:
        async with services.database.sessions() as session:
            identity = await conversations.find_identity(
                session=session, platform=WEB, external_id=consumer.user_id
            )
        if identity is not None:
            return identity.language
    return Language.parse(lang, services.settings.language)
