"""The hostile-input corpus in ``tests/data/hostile/``: strings, raw bodies, real payloads."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parents[1] / "data" / "hostile"


def _entries(name: str) -> dict[str, dict[str, Any]]:
    raw = json.loads((DATA / name).read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if not k.startswith("_")}


@cache
def strings() -> dict[str, str]:
    """Hostile values for text fields, by name."""
    return {k: v["value"] * int(v.get("repeat", 1)) for k, v in _entries("strings.json").items()}


@cache
def bodies() -> dict[str, bytes]:
    """Hostile raw request bodies, by name."""
    out = {}
    for name, spec in _entries("bodies.json").items():
        if "hex" in spec:
            out[name] = bytes.fromhex(spec["hex"])
        elif "text" in spec:
            out[name] = spec["text"].encode("utf-8", "surrogatepass")
        else:
            text = spec.get("prefix", "") + spec["unit"] * spec["repeat"] + spec.get("suffix", "")
            out[name] = text.encode("utf-8")
    return out


def telegram_updates() -> dict[str, dict[str, Any]]:
    """Real Telegram updates of every kind (a fresh copy each call: tests edit them)."""
    data: dict[str, dict[str, Any]] = json.loads(
        (DATA / "telegram_updates.json").read_text(encoding="utf-8")
    )
    return data


@cache
def wechat_messages() -> dict[str, str]:
    """Real WeChat plain-mode XML of every message and event type, by name."""
    return {
        path.stem: path.read_text(encoding="utf-8").strip()
        for path in sorted((DATA / "wechat").glob("*.xml"))
    }


def encoded(value: str) -> bytes:
    """A hostile string as UTF-8, lone surrogates kept as their (invalid) bytes."""
    return value.encode("utf-8", "surrogatepass")
