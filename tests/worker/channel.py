"""A push channel at the edge that records what it sent and fails on command."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from adapters.base import Delivered, DeliveryError, Recipient
from dialogs.events import Reply


@dataclass
class ScriptedSender:
    """Sends succeed unless ``script`` holds an error for the next attempt."""

    platform: str = "wechat"
    script: list[DeliveryError] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0

    async def send(self, recipient: Recipient, replies: list[Reply]) -> Delivered:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.script:
            raise self.script.pop(0)
        self.sent.append((recipient.external_id, replies[0].text))
        return Delivered(via="custom")


@dataclass
class ScriptedFetcher:
    """Serves ``files`` by platform reference; ``errors`` raise instead."""

    platform: str = "wechat"
    files: dict[str, bytes] = field(default_factory=dict)
    errors: dict[str, DeliveryError] = field(default_factory=dict)

    async def fetch(self, platform_ref: str, kind: str) -> AsyncIterator[bytes]:
        if platform_ref in self.errors:
            raise self.errors[platform_ref]
        data = self.files[platform_ref]
        for start in range(0, len(data), 16):
            yield data[start : start + 16]
