"""Load the operator-editable intake flow (``dialogs/flow.yaml``) into dataclasses.

The flow is data so a deployment can reorder steps, change limits or add categories
without touching code; this module only parses and checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dialogs.vocabulary import Language

FLOW_PATH = Path(__file__).with_name("flow.yaml")
LANGUAGES: tuple[str, ...] = tuple(Language)
STEP_KINDS = frozenset(
    {"category", "subcategory", "text", "date", "amount", "demands", "evidence",
     "contact_mode", "phone", "yesno"}
)


@dataclass(frozen=True)
class Option:
    """A labelled option: a category, a subcategory or a demand."""

    id: str
    labels: dict[str, str]
    sub: tuple[Option, ...] = ()

    def label(self, language: str) -> str:
        """The label in ``language`` (falls back to zh-CN)."""
        return self.labels.get(language) or self.labels[Language.ZH_CN]


@dataclass(frozen=True)
class Step:
    """One question of the flow and how its answer is validated."""

    name: str
    kind: str
    required: bool = True
    when: str | None = None
    edit_continues: bool = False
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Flow:
    """The whole flow: types with their ordered steps, categories and demands."""

    types: dict[str, tuple[str, ...]]
    steps: dict[str, Step]
    categories: tuple[Option, ...]
    demands: tuple[Option, ...]

    def category(self, category_id: str | None) -> Option | None:
        """Find a top-level category by id."""
        return next((c for c in self.categories if c.id == category_id), None)

    def subcategory(self, category_id: str | None, sub_id: str | None) -> Option | None:
        """Find a subcategory by its parent's id and its own id."""
        parent = self.category(category_id)
        if parent is None:
            return None
        return next((s for s in parent.sub if s.id == sub_id), None)

    def demand(self, demand_id: str) -> Option | None:
        """Find a demand by id."""
        return next((d for d in self.demands if d.id == demand_id), None)

    @property
    def all_steps(self) -> tuple[str, ...]:
        """Every step name used by any type, in first-seen order."""
        seen: dict[str, None] = {}
        for steps in self.types.values():
            for name in steps:
                seen.setdefault(name, None)
        return tuple(seen)


def _option(raw: dict[str, Any]) -> Option:
    ident = str(raw["id"])
    # Telegram packs a choice id into 64 bytes of callback data, with room for the step.
    if not ident.isascii() or len(ident.encode()) > 40:
        raise ValueError(f"option id {ident!r} must be short ASCII")
    labels = {lang: str(raw[lang]) for lang in LANGUAGES}
    sub = tuple(_option(s) for s in raw.get("sub") or ())
    return Option(ident, labels, sub)


def parse_flow(data: dict[str, Any]) -> Flow:
    """Build a :class:`Flow` from the parsed YAML document.

    Args:
        data: the mapping read from flow.yaml.

    Returns:
        The checked flow.

    Raises:
        ValueError: a type names an unknown step, or a step has an unknown kind.
    """
    steps: dict[str, Step] = {}
    for name, raw in data["steps"].items():
        raw = dict(raw)
        kind = str(raw.pop("kind"))
        if kind not in STEP_KINDS:
            raise ValueError(f"step {name}: unknown kind {kind!r}")
        steps[name] = Step(
            name=name,
            kind=kind,
            required=bool(raw.pop("required", True)),
            when=raw.pop("when", None),
            edit_continues=bool(raw.pop("edit_continues", False)),
            params=raw,
        )
    types: dict[str, tuple[str, ...]] = {}
    for type_id, raw in data["types"].items():
        names = tuple(raw["steps"])
        unknown = [n for n in names if n not in steps]
        if unknown:
            raise ValueError(f"type {type_id}: unknown steps {unknown}")
        types[type_id] = names
    return Flow(
        types=types,
        steps=steps,
        categories=tuple(_option(c) for c in data["categories"]),
        demands=tuple(_option(d) for d in data["demands"]),
    )


@lru_cache(maxsize=1)
def load_flow(path: Path = FLOW_PATH) -> Flow:
    """Read and parse flow.yaml once per process."""
    with path.open(encoding="utf-8") as fh:
        return parse_flow(yaml.safe_load(fh))
