"""``/webhooks/wechat``: the Official Account's server URL (URL verification and messages).

WeChat waits 5 s for an answer and retries three times, also while the first try is
still running; the engine's dedupe makes the copies harmless and gives them the same
reply. Nothing slow happens here: media are recorded with their MediaId and downloaded
by the worker.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from adapters.base import AdapterError
from adapters.body import BodyTooLarge, read_capped
from adapters.wechat import inbound
from adapters.wechat.outbound import passive_reply
from adapters.wechat.verify import (
    MAX_BODY,
    SafeMode,
    check_replay,
    check_signature,
    check_timestamp,
)
from dialogs.events import Unsubscribed

if TYPE_CHECKING:
    from adapters.wechat.channel import WeChatChannel

log = logging.getLogger("weiquan.wechat")

# WeChat treats "success" (or an empty body) as "no reply" and shows the consumer nothing.
NOTHING = "success"
Param = Annotated[str | None, Query(max_length=200)]


def _refuse(exc: AdapterError) -> PlainTextResponse:
    log.info("wechat request refused", extra={"status": exc.status, "reason": exc.message})
    return PlainTextResponse(exc.message, status_code=exc.status)


async def _read_body(request: Request) -> bytes:
    try:
        return await read_capped(request, MAX_BODY)
    except BodyTooLarge:
        raise AdapterError(413, "body too large") from None


def build_router(channel: WeChatChannel) -> APIRouter:
    """The webhook's routes, answering for ``channel`` (its config is read per request)."""
    router = APIRouter(tags=["webhooks"])

    @router.get("/webhooks/wechat", response_class=PlainTextResponse)
    async def verify_url(
        signature: Param = None, timestamp: Param = None, nonce: Param = None,
        echostr: Annotated[str | None, Query(max_length=1000)] = None,
    ) -> Response:
        """WeChat's URL verification: echoes ``echostr`` when the signature holds."""
        config = channel.config
        try:
            check_timestamp(timestamp, now=channel.clock().timestamp(),
                            window=config.replay_window)
            check_signature(config.token, signature_=signature, timestamp=timestamp,
                            nonce=nonce)
        except AdapterError as exc:
            return _refuse(exc)
        return PlainTextResponse(echostr or "")

    @router.post("/webhooks/wechat")
    async def receive(
        request: Request, signature: Param = None, timestamp: Param = None,
        nonce: Param = None, encrypt_type: Param = None, msg_signature: Param = None,
    ) -> Response:
        """A message or event from WeChat, answered with a passive reply (plain or safe mode)."""
        config = channel.config
        try:
            body = await _read_body(request)
            now = channel.clock().timestamp()
            check_timestamp(timestamp, now=now, window=config.replay_window)
            safe = _safe_mode(channel, encrypt_type)
            if safe is None:
                check_signature(config.token, signature_=signature, timestamp=timestamp,
                                nonce=nonce)
                fields = inbound.parse_xml(body)
            else:
                fields = inbound.parse_xml(safe.open(
                    inbound.parse_xml(body), msg_signature=msg_signature, timestamp=timestamp,
                    nonce=nonce,
                ))
            env = inbound.envelope(fields)
            event = inbound.to_event(fields)
            # Last of the checks: a request refused for its content leaves no row behind.
            await check_replay(channel.nonces, body, timestamp=timestamp or "",
                               nonce=nonce or "", now=now, window=config.replay_window)
        except AdapterError as exc:
            return _refuse(exc)
        if event is None:
            return PlainTextResponse(NOTHING)
        replies = await channel.inbox.handle(event)
        if isinstance(event, Unsubscribed):
            return PlainTextResponse(NOTHING)  # nobody is left to read a reply
        sent = int(channel.clock().timestamp())
        xml = passive_reply(replies, user=env.user, account=env.account, now=sent)
        if xml is None:
            return PlainTextResponse(NOTHING)
        if safe is not None:
            xml = safe.encrypt(xml, nonce=nonce or "", timestamp=str(sent))
        return Response(xml, media_type="application/xml")

    return router


def _safe_mode(channel: WeChatChannel, encrypt_type: str | None) -> SafeMode | None:
    """The safe-mode crypto when an AES key is configured, None for plain mode.

    With a key, a request without ``encrypt_type=aes`` is refused: its plain signature
    does not cover the body, so it proves nothing about the message (DESIGN.md).
    """
    config = channel.config
    aes = (encrypt_type or "").lower() == "aes"
    if not config.aes_key:
        if aes:
            raise AdapterError(400, "safe mode needs WEIQUAN_WECHAT_AES_KEY and _APP_ID")
        return None
    if not aes:
        raise AdapterError(403, "safe mode is on: plaintext messages are refused")
    if not config.app_id:
        raise AdapterError(400, "safe mode needs WEIQUAN_WECHAT_APP_ID")
    return SafeMode(config.token, config.aes_key, config.app_id)
