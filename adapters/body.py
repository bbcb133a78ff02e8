"""Reading a webhook body with a size cap, before any parsing (WeChat, Telegram)."""

from __future__ import annotations

from fastapi import Request


class BodyTooLarge(Exception):
    """The body is over the cap: answer 413 without parsing anything."""


async def read_capped(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it passes ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)
