"""Merchant names as consumers type them, reduced to a key that matches the registry.

"苏宁易购 旗舰店", "苏宁易购集团股份有限公司" and "ＳＵＮＩＮＧ" (full width) should all
find the registered 苏宁易购: the key is NFKC-folded (full/half width), case-folded,
without spaces or punctuation, and without the legal-form and shop suffixes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Longest first: "股份有限公司" must go before "有限公司" leaves "股份".
SUFFIXES = (
    "集团股份有限公司",
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "官方旗舰店",
    "旗舰店",
    "专卖店",
    "专营店",
    "官方店",
    "直营店",
    "分公司",
    "公司",
    "集团",
    "门店",
    "商店",
    "商行",
    "店",
    "coltd",
    "co",
    "ltd",
    "limited",
    "inc",
    "corp",
    "corporation",
    "llc",
    "gmbh",
    "flagshipstore",
    "officialstore",
    "store",
    "shop",
)
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    """The matching key of a merchant name (empty when nothing is left)."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = _DROP.sub("", text)
    changed = True
    while changed and text:
        changed = False
        for suffix in SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
                break
    return text


def keys_of(name: str, aliases: Iterable[str]) -> set[str]:
    """Every key a merchant answers to: its name's and its aliases'."""
    return {k for k in (name_key(n) for n in (name, *aliases)) if k}


def match_score(typed: str, keys: set[str]) -> int:
    """How well a typed name matches a merchant's keys: 2 exact, 1 one contains the
    other (at least two characters), 0 not at all."""
    key = name_key(typed)
    if not key:
        return 0
    if key in keys:
        return 2
    for k in keys:
        shorter = min(len(k), len(key))
        if shorter >= 2 and (k in key or key in k):
            return 1
    return 0
