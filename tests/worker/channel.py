"""A push channel at the edge that records what it sent and fails on command."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from dialogs.delivery import Delivered, DeliveryError, NoticeFacts, Recipient
from dialogs.replies import Reply


@dataclass
class ScriptedSender:
    """Sends succeed unless ``script`` holds an exception for the next attempt.

    ``rename`` maps an external id to the one the platform says it moved to (Telegram's
    ChatMigrated); ``tried`` records every attempt, ``sent`` every success.
    """

    platform: str = "wechat"
    script: list[Exception] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    async def send(
        self, recipient: Recipient, replies: list[Reply], facts: NoticeFacts | None = None
    ) -> Delivered:
        self.tried.append(replies[0].text)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.script:
            raise self.script.pop(0)
        self.sent.append((recipient.external_id, replies[0].text))
        return Delivered(via="custom", new_external_id=self.rename.get(recipient.external_id))


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
