"""The dedupe table: messages already applied, the replies given, whether they went out.

A row is keyed by (platform, identity, message key). The identity is part of the key
because message keys are not always the platform's: a web client sends its own, and
one consumer's key must never return another consumer's stored replies (which repeat
the confirmation summary, name and phone included). Replies are sealed at rest
(:meth:`storage.crypto.FieldCipher.seal`).

Replies that are pushed after the transaction (Telegram's ``sendMessage``) carry a
delivery state, so a redelivered update is answered once:

- the turn that applies a message records it ``pending`` with a claim
  (``claimed_until``) and sends after committing; then it records ``sent``;
- a copy that arrives meanwhile finds the claim live and sends nothing;
- after a crash between commit and send the claim lapses, and the next redelivery
  takes it and sends the stored replies;
- a passing failure (network, 5xx, 429) drops the claim: the redelivery sends at once;
- a permanent refusal (blocked, chat gone) records ``refused``: nothing is sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dialogs.delivery import Receipt
from storage.crypto import FieldCipher
from storage.models import Identity, ProcessedMessage

PROCESSED = cast(Table, ProcessedMessage.__table__)
IDENTITIES = cast(Table, Identity.__table__)

PENDING, SENT, REFUSED = "pending", "sent", "refused"
# Longer than sending a message's replies takes (a few sendMessage calls, each with a
# 15 s read timeout at worst); a copy arriving within it sends nothing.
CLAIM = timedelta(seconds=60)


@dataclass(frozen=True)
class Stored:
    """What was recorded for a message before: its replies and their delivery."""

    replies: list[dict[str, Any]]
    delivery: str | None = None
    claimed_until: datetime | None = None

    def claimable(self, now: datetime) -> bool:
        """True when these replies still have to be pushed and nobody is pushing them."""
        if self.delivery in (SENT, REFUSED):
            return False
        return self.claimed_until is None or self.claimed_until <= now


def stored_from(
    cipher: FieldCipher, replies: Any, delivery: str | None, claimed_until: datetime | None
) -> Stored:
    """A :class:`Stored` from a row's columns (replies sealed, or plain in old rows)."""
    return Stored(list(cipher.unseal(replies) or []), delivery, claimed_until)


def _where(receipt: Receipt) -> Any:
    return (
        (PROCESSED.c.platform == receipt.platform)
        & (PROCESSED.c.identity_id == receipt.identity_id)
        & (PROCESSED.c.message_key == receipt.message_key)
    )


async def settle(
    conn: AsyncConnection,
    receipt: Receipt,
    delivery: str | None,
    *,
    block_reason: str | None = None,
) -> None:
    """Record how pushing the replies ended: ``sent``, ``refused``, or None (retry).

    ``block_reason`` marks the consumer blocked, as the outbox worker does when the
    platform says the consumer blocked the bot.
    """
    where = _where(receipt)
    if delivery != SENT:
        # A slow attempt whose claim lapsed must not undo another attempt's success.
        where = where & (PROCESSED.c.delivery == PENDING)
    state = PENDING if delivery is None else delivery
    await conn.execute(update(PROCESSED).where(where).values(delivery=state, claimed_until=None))
    if block_reason is not None:
        await conn.execute(
            update(IDENTITIES)
            .where(IDENTITIES.c.id == receipt.identity_id)
            .values(blocked=True, blocked_reason=block_reason[:200])
        )
