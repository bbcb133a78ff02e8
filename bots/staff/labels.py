"""What the console shows instead of internal codes: channels, actors, timeline kinds,
amounts with their unit and local times with the zone.

Categories, statuses, demands and reasons come from the shared catalogs
(:mod:`dialogs.texts`) so staff and consumers read the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from dialogs.clock import local_now, zone_label
from dialogs.flow import load_flow
from dialogs.texts import category_label, demand_label, label, list_separator, t
from dialogs.vocabulary import Platform

PLATFORMS: tuple[Platform, ...] = tuple(Platform)
TIMELINE_KINDS = (
    "status", "note", "message", "assignment", "evidence", "deadline", "rating",
    "request_withdrawn", "notice", "merchant_linked", "forwarded", "offer", "offer_accepted",
    "offer_declined", "settlement", "taken_back", "consent",
)  # fmt: skip


def platform_label(platform: str | None, language: str) -> str:
    """``wechat`` → 微信 / WeChat (the code itself when unknown)."""
    if not platform:
        return ""
    return label(language, f"console.platform_{platform}", platform)


def actor_label(
    actor: str | None, language: str, merchants: Mapping[str, str] | None = None
) -> str:
    """``staff:mei`` → mei, ``consumer`` → 消费者, ``merchant:suning`` → 苏宁易购 (the
    merchant's name from ``merchants``, see ``storage.merchants.names_of_actors``)."""
    if not actor:
        return ""
    if actor.startswith("staff:"):
        return actor.removeprefix("staff:")
    if actor.startswith("merchant:"):
        return (merchants or {}).get(actor) or actor.removeprefix("merchant:")
    return label(language, f"console.actor_{actor}", actor)


def kind_label(kind: str, language: str) -> str:
    """A timeline entry's kind in words (``note`` → 备注)."""
    return label(language, f"console.kind_{kind}", kind)


def notice_state_label(state: str | None, language: str) -> str:
    if not state:
        return ""
    return label(language, f"console.notice_{state}", state)


def demands_label(demands: list[str] | None, language: str) -> str:
    """``["refund", "compensation"]`` → 退款、赔偿 / Refund, Compensation."""
    return list_separator(language).join(demand_label(d, language) for d in demands or [])


def subcategory_label(category: str | None, sub: str | None, language: str) -> str:
    """A subcategory's label, looked up under its category first (ids may repeat)."""
    if not sub:
        return ""
    flow = load_flow()
    parent = flow.category(category) if category else None
    for option in parent.sub if parent else ():
        if option.id == sub:
            return option.label(language)
    return category_label(sub, language)


def money(amount: Any, language: str) -> str:
    """``3999`` → ``3,999.00 元`` (zh-CN) or ``¥3,999.00`` (en); blank when unknown."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return t(language, "console.money", amount=f"{value:,.2f}")


def local_time(value: str | datetime | None, *, with_zone: bool = True) -> str:
    """An ISO time (already local, with offset) as ``2026-11-24 09:05 UTC+08:00``."""
    if not value:
        return ""
    moment = local_now(datetime.fromisoformat(value) if isinstance(value, str) else value)
    shown = moment.strftime("%Y-%m-%d %H:%M")
    return f"{shown} {zone_label(moment)}" if with_zone else shown


def categories(language: str) -> list[dict[str, Any]]:
    """Every category with its subcategories, labelled, for the filter selects."""
    return [
        {
            "id": c.id,
            "label": c.label(language),
            "sub": [{"id": s.id, "label": s.label(language)} for s in c.sub],
        }
        for c in load_flow().categories
    ]
