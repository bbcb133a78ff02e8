"""The web chat channel: JSON messages from the ``/chat`` page into neutral events.

The page sends ``{"text"}`` and may add ``message_id`` (a client-made id, so a resend
after a network error is answered from the dedupe table), ``choice`` and ``step`` (a
pressed button) and ``lang``. Who sends it is not in the body: the server issues the
consumer's id in a signed cookie (:mod:`bots.web.identity`). Old pages still send a
``user`` field; it is checked for shape and otherwise ignored.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Protocol

from fastapi import APIRouter
from pydantic import BaseModel, Field, field_validator

from adapters.base import ChannelLoop
from adapters.fields import FreeText, Identifier, Line
from dialogs import cleaning
from dialogs.events import ChoicePressed, MediaKind, MediaMessage, TextMessage
from dialogs.replies import Reply
from dialogs.vocabulary import Platform

#: Where the page downloads the consumer's data export (cookie identity only).
MY_DATA_URL = "/chat/my-data.json"
USER_PATTERN = re.compile(r"^[\w.@:-]{1,64}$")
MAX_TEXT = 10_000


class WebMessage(BaseModel):
    """A message from the web chat page (``POST /chat/messages``)."""

    # Accepted from old pages and ignored: the identity comes from the cookie only.
    user: str | None = Field(default=None, min_length=1, max_length=64)
    text: FreeText = Field(default="", max_length=MAX_TEXT)
    message_id: Identifier | None = Field(default=None, max_length=100)
    choice: Identifier | None = Field(default=None, max_length=64)
    step: Identifier | None = Field(default=None, max_length=64)
    lang: Line | None = Field(default=None, max_length=16)

    @field_validator("user")
    @classmethod
    def _user(cls, value: str | None) -> str | None:
        if value is not None and not USER_PATTERN.fullmatch(value):
            raise ValueError("user may contain letters, digits and . _ @ : - only")
        return value


class WebChoice(BaseModel):
    """A choice as the page shows it."""

    id: str
    label: str


class WebProgress(BaseModel):
    """Where a question stands in a guided flow: step ``step`` of ``of``."""

    step: int
    of: int


def _absent(value: object) -> bool:
    return value is None


class WebReply(BaseModel):
    """One reply as the page shows it.

    ``progress`` is set on the questions of a guided flow; ``lang`` is the conversation's
    language on a question (the page's buttons follow it); ``sender`` names who wrote a
    notice (``staff``, ``merchant``).
    """

    text: str
    choices: list[WebChoice] = []
    step: str | None = None
    multi: bool = False
    # Left out of the JSON when there is none (the page tests for the key).
    download: str | None = Field(default=None, exclude_if=_absent)
    # A download for this browser (the dossier), shown as a link under the text.
    link: str | None = Field(default=None, exclude_if=_absent)
    progress: WebProgress | None = None
    lang: str | None = None
    sender: str | None = None


class WebReplies(BaseModel):
    """The answer to ``POST /chat/messages``."""

    replies: list[WebReply]


def message_key(user: str, message_id: str | None) -> str:
    """The dedupe key: the page's id within its consumer, or a fresh one when it sent none.

    The page makes the ids, so they are scoped to the consumer: another browser sending
    the same id gets its own answer, never the replies stored for someone else.
    """
    return f"web:{user}:{message_id}" if message_id else f"web:{user}:{uuid.uuid4().hex}"


def to_event(message: WebMessage, *, user: str, now: datetime) -> TextMessage | ChoicePressed:
    """The neutral event for a web chat message from the consumer ``user`` (server-issued)."""
    key = message_key(user, message.message_id)
    if message.choice:
        return ChoicePressed(
            platform=Platform.WEB,
            user_id=user,
            message_id=key,
            received_at=now,
            language_hint=message.lang,
            choice_id=message.choice,
            step=message.step,
        )
    return TextMessage(
        platform=Platform.WEB,
        user_id=user,
        message_id=key,
        received_at=now,
        language_hint=message.lang,
        text=message.text,
    )


class UploadedFile(Protocol):
    """A file the page uploaded, as the blob store keeps it (``storage/blobs.py``)."""

    @property
    def key(self) -> str: ...

    @property
    def sha256(self) -> str: ...

    @property
    def size(self) -> int: ...

    @property
    def mime(self) -> str: ...

    @property
    def kind(self) -> str: ...


def upload_event(
    *,
    user: str,
    blob: UploadedFile,
    file_name: str | None,
    message_id: str | None,
    now: datetime,
    lang: str | None = None,
) -> MediaMessage:
    """The neutral event for a file uploaded on the page (received, waiting in staging)."""
    return MediaMessage(
        platform=Platform.WEB,
        user_id=user,
        message_id=message_key(user, message_id),
        received_at=now,
        language_hint=lang,
        kind=MediaKind(blob.kind),
        file_name=cleaning.name(file_name, cleaning.FILE_NAME),
        mime=blob.mime,
        size=blob.size,
        blob_key=blob.key,
        sha256=blob.sha256,
    )


def _progress(reply: Reply) -> dict[str, int] | None:
    if reply.progress is None:
        return None
    step, of = reply.progress
    return {"step": step, "of": of}


def render(replies: list[Reply]) -> WebReplies:
    """Replies as the page's JSON (the routes return it as their ``response_model``)."""
    return WebReplies(
        replies=[
            WebReply(
                text=r.text,
                choices=[WebChoice(id=c.id, label=c.label) for c in r.choices],
                step=r.step,
                multi=r.multi,
                download=MY_DATA_URL if r.attachment == "my_data" else None,
                link=r.link,
                progress=WebProgress.model_validate(_progress(r)) if r.progress else None,
                lang=r.language,
                sender=r.sender,
            )
            for r in replies
        ]
    )


class WebChannel:
    """The web chat as the app mounts it: the page and its endpoints, nothing pushed.

    Its notices ride along with the next reply, and the page polls for them; uploads
    arrive whole, so there is nothing to fetch later.

    Args:
        router: the page's routes (they need the app's identity cookies and stores,
            so the app builds them).
    """

    name = Platform.WEB
    sender = None
    fetcher = None

    def __init__(self, router: APIRouter) -> None:
        self.router = router

    def loops(self) -> list[ChannelLoop]:
        return []

    async def close(self) -> None:
        return None
