"""How a load-generator message is sent on each channel."""

from __future__ import annotations

import json
from typing import Protocol as _Protocol


class Protocol(_Protocol):
    def encode(self, user: str, n: int, line: str) -> tuple[str, str, bytes, dict[str, str]]: ...

    def ok(self, body: bytes) -> bool: ...


class Web:
    """``POST /chat/messages`` JSON, with a message id so retries are safe."""

    def encode(self, user: str, n: int, line: str) -> tuple[str, str, bytes, dict[str, str]]:
        body = json.dumps({"user": user, "text": line, "message_id": f"{user}-{n}", "lang": "en"})
        return "POST", "/chat/messages", body.encode(), {"Content-Type": "application/json"}

    def ok(self, body: bytes) -> bool:
        return b'"replies"' in body


PROTOCOLS: dict[str, Protocol] = {"web": Web(), "baseline": Web()}
