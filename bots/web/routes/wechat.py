"""``/webhooks/wechat``: the Official Account's server URL (URL verification and messages).

WeChat waits 5 s for an answer and retries three times, also while the first try is
still running; the engine's dedupe makes the copies harmless and gives them the same
reply. Nothing slow happens here: media are recorded with their MediaId and downloaded
by the worker.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from adapters.base import AdapterError
from adapters.wechat import inbound
from adapters.wechat.outbound import passive_reply
from adapters.wechat.verify import (
    MAX_BODY,
    SafeMode,
    check_replay,
    check_signature,
    check_timestamp,
)
from bots.services import Services
from bots.web.deps import ServicesDep
from bots.web.routes.body import BodyTooLarge, read_capped
from dialogs.events import Unsubscribed

log = logging.getLogger("weiquan.wechat")
router = APIRouter(tags=["webhooks"])

# WeChat treats "success" (or an empty body) as "no reply" and shows the consumer nothing.
NOTHING = "success"
Param = Annotated[str | None, Query(max_length=200)]


def _refuse(exc: AdapterError) -> PlainTextResponse:
    log.info("wechat request refused", extra={"status": exc.status, "reason": exc.message})
    return PlainTextResponse(exc.message, status_code=exc.status)


def _token(services: Services) -> str:
    token = services.settings.wechat_token
    if not token:
        raise AdapterError(404, "WeChat channel is not configured")
    return token


def _check_request(services: Services, signature: str | None, timestamp: str | None,
                   nonce: str | None) -> str:
    token = _token(services)
    check_timestamp(timestamp, now=services.now().timestamp(),
                    window=services.settings.wechat_replay_window)
    check_signature(token, signature_=signature, timestamp=timestamp, nonce=nonce)
    return token


@router.get("/webhooks/wechat", response_class=PlainTextResponse)
async def verify_url(
    services: ServicesDep, signature: Param = None, timestamp: Param = None,
    nonce: Param = None, echostr: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    """WeChat's URL verification: echoes ``echostr`` when the signature holds."""
    try:
        _check_request(services, signature, timestamp, nonce)
    except AdapterError as exc:
        return _refuse(exc)
    return PlainTextResponse(echostr or "")


async def _read_body(request: Request) -> bytes:
    try:
        return await read_capped(request, MAX_BODY)
    except BodyTooLarge:
        raise AdapterError(413, "body too large") from None


@router.post("/webhooks/wechat")
async def receive(
    request: Request, services: ServicesDep, signature: Param = None, timestamp: Param = None,
    nonce: Param = None, encrypt_type: Param = None, msg_signature: Param = None,
) -> Response:
    """A message or event from WeChat, answered with a passive reply (plain or safe mode)."""
    try:
        body = await _read_body(request)
        token = _token(services)
        settings = services.settings
        now = services.now().timestamp()
        check_timestamp(timestamp, now=now, window=settings.wechat_replay_window)
        safe = _safe_mode(services, token, encrypt_type)
        if safe is None:
            check_signature(token, signature_=signature, timestamp=timestamp, nonce=nonce)
            fields = inbound.parse_xml(body)
        else:
            fields = inbound.parse_xml(safe.open(
                inbound.parse_xml(body), msg_signature=msg_signature, timestamp=timestamp,
                nonce=nonce,
            ))
        env = inbound.envelope(fields)
        event = inbound.to_event(fields)
        # Last of the checks: a request refused for its content leaves no row behind.
        await check_replay(services.wechat_nonces, body, timestamp=timestamp or "",
                           nonce=nonce or "", now=now, window=settings.wechat_replay_window)
    except AdapterError as exc:
        return _refuse(exc)
    if event is None:
        return PlainTextResponse(NOTHING)
    replies = await services.engine.handle(event)
    if isinstance(event, Unsubscribed):
        return PlainTextResponse(NOTHING)  # nobody is left to read a reply
    sent = int(services.now().timestamp())
    xml = passive_reply(replies, user=env.user, account=env.account, now=sent)
    if xml is None:
        return PlainTextResponse(NOTHING)
    if safe is not None:
        xml = safe.encrypt(xml, nonce=nonce or "", timestamp=str(sent))
    return Response(xml, media_type="application/xml")


def _safe_mode(services: Services, token: str, encrypt_type: str | None) -> SafeMode | None:
    """The safe-mode crypto when an AES key is configured, None for plain mode.

    With a key, a request without ``encrypt_type=aes`` is refused: its plain signature
    does not cover the body, so it proves nothing about the message (DESIGN.md).
    """
    settings = services.settings
    aes = (encrypt_type or "").lower() == "aes"
    if not settings.wechat_aes_key:
        if aes:
            raise AdapterError(400, "safe mode needs WEIQUAN_WECHAT_AES_KEY and _APP_ID")
        return None
    if not aes:
        raise AdapterError(403, "safe mode is on: plaintext messages are refused")
    if not settings.wechat_app_id:
        raise AdapterError(400, "safe mode needs WEIQUAN_WECHAT_APP_ID")
    return SafeMode(token, settings.wechat_aes_key, settings.wechat_app_id)
