"""Who a web chat consumer is: an id the server issues, kept in a signed cookie.

The page never names its consumer. The first response to a browser sets a cookie
holding a random id made here, signed with the deployment's secret key (itsdangerous,
HMAC over the value with a salt of its own), ``HttpOnly`` so page scripts cannot read
it, ``SameSite=Lax`` so another site cannot post as the consumer, and ``Secure`` over
HTTPS. Every chat endpoint reads the identity from that cookie only; a missing, forged
or unsigned cookie gets a fresh id, never the one it claims. Without this, anyone who
knew or guessed a consumer's id could read their complaints and take their notices.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, Signer

from bots.web.deps import ServicesDep

COOKIE = "weiquan_chat"
SALT = "weiquan.web-chat.consumer"
# Long enough to follow a complaint through its 60 working days and a rating after;
# browsers cap cookie lifetimes at 400 days.
MAX_AGE_SECONDS = 365 * 24 * 3600
PREFIX = "web-"
_ISSUED = re.compile(r"web-[0-9a-f]{32}")
_MAX_COOKIE = 256


@dataclass(frozen=True)
class WebConsumer:
    """The consumer behind a request: the issued id, and whether it is new to the browser.

    Attributes:
        user_id: the server-issued id (the web identity's ``external_id``).
        fresh: True when the browser sent no valid cookie and must be given one.
    """

    user_id: str
    fresh: bool


def new_id() -> str:
    """A random consumer id (128 bits; nothing about it is guessable)."""
    return PREFIX + secrets.token_hex(16)


def read(value: str | None, secret_key: str) -> WebConsumer:
    """The consumer a cookie value names, or a fresh one when it is missing or forged."""
    if value and len(value) <= _MAX_COOKIE:
        try:
            user_id = _signer(secret_key).unsign(value).decode("ascii")
        except (BadSignature, UnicodeDecodeError):
            user_id = ""
        # Signed ids are ours; the pattern still guards against an old or foreign format.
        if _ISSUED.fullmatch(user_id):
            return WebConsumer(user_id=user_id, fresh=False)
    return WebConsumer(user_id=new_id(), fresh=True)


def cookie_value(user_id: str, secret_key: str) -> str:
    """The signed cookie value for ``user_id``."""
    return _signer(secret_key).sign(user_id.encode("ascii")).decode("ascii")


def remember(response: Response, consumer: WebConsumer, request: Request, secret_key: str) -> None:
    """Set the identity cookie on ``response`` when the browser does not have it yet."""
    if not consumer.fresh:
        return
    response.set_cookie(
        COOKIE,
        cookie_value(consumer.user_id, secret_key),
        max_age=MAX_AGE_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _signer(secret_key: str) -> Signer:
    return Signer(secret_key, salt=SALT)


async def current_consumer(request: Request, services: ServicesDep) -> WebConsumer:
    """The web chat consumer of this request, from its cookie only."""
    return read(request.cookies.get(COOKIE), services.settings.resolved_secret_key)


WebConsumerDep = Annotated[WebConsumer, Depends(current_consumer)]
