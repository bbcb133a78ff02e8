"""Drives an intake conversation by answering whatever the bot asks.

The driver looks at the ``step`` of the last reply that asks something and answers it
from a table, so tests stay true to the flow in dialogs/flow.yaml whatever its order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pick:
    """Answer with the id of the first choice whose id contains ``part``."""

    part: str


Answer = str | Pick
Send = Callable[[str], Awaitable[list[dict[str, Any]]]]

COMPLAINT = {
    "menu": Pick("complaint"),
    "category": Pick("appliances"),
    "subcategory": Pick("large"),
    "handled_elsewhere": Pick("no"),
    "merchant_name": "苏宁易购 Suning",
    "merchant_address": "skip",
    "order_number": "SN-2026-0001",
    "incident_date": "2026-11-18",
    "amount": "¥3,999.00",
    "description": "The fridge stopped cooling two days after delivery; the shop refuses.",
    "demands": "1 3",
    "evidence": "done",
    "contact_name": "张三",
    "contact_phone": "13812345678",
    "consent_share": "yes",
    "confirm": Pick("confirm"),
}

REPORT = {
    **COMPLAINT,
    "menu": Pick("report"),
    "category": Pick("food"),
    "subcategory": Pick("packaged"),
    "contact_mode": Pick("anonymous"),
}

CONSULTATION = {
    **COMPLAINT,
    "menu": Pick("consultation"),
    "category": Pick("online"),
    "subcategory": None,
    "description": "How long do I have to return goods bought online?",
    "contact_mode": Pick("anonymous"),
}


def as_dicts(replies: list[Any]) -> list[dict[str, Any]]:
    """Replies from the engine (objects) or from HTTP (dicts) as dicts."""
    return [r if isinstance(r, dict) else r.to_dict() for r in replies]


def question(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last reply that belongs to a step (the open question)."""
    for reply in reversed(replies):
        if reply.get("step"):
            return reply
    return None


def answer_for(reply: dict[str, Any], answers: Mapping[str, Answer | None]) -> str:
    step = reply["step"]
    if step not in answers or answers[step] is None:
        # Steps the table does not know (e.g. a subcategory): take the first choice.
        if reply.get("choices"):
            return str(reply["choices"][0]["id"])
        raise AssertionError(f"no answer for step {step!r}: {reply['text']!r}")
    value = answers[step]
    if isinstance(value, Pick):
        for choice in reply.get("choices", []):
            if value.part in choice["id"]:
                return str(choice["id"])
        raise AssertionError(f"no choice like {value.part!r} at {step!r}: {reply['choices']}")
    return str(value)


async def walk(
    send: Send,
    answers: Mapping[str, Answer | None],
    *,
    first: str = "hi",
    until: Callable[[list[dict[str, Any]]], bool],
    limit: int = 40,
) -> list[dict[str, Any]]:
    """Answer questions until ``until(replies)`` holds; returns the last replies."""
    replies = await send(first)
    for _ in range(limit):
        if until(replies):
            return replies
        asked = question(replies)
        assert asked is not None, f"the bot asked nothing: {replies}"
        replies = await send(answer_for(asked, answers))
    raise AssertionError(f"flow did not finish in {limit} answers; last: {replies}")


def filed(replies: list[dict[str, Any]]) -> str | None:
    """The complaint number in a filing confirmation, if the replies hold one."""
    import re

    for reply in replies:
        match = re.search(r"\b(\d{14})\b", reply["text"])
        if match:
            return match.group(1)
    return None
