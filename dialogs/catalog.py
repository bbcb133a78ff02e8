"""The text catalog: every word the bot, the staff console and the merchant page show.

``dialogs/locales/`` holds one set of files per language: ``<lang>.yaml`` has the
chat's texts, ``<domain>.<lang>.yaml`` the texts of one part of the service (the
console, the merchant desk, the console's alerts page) under the key prefix
``<domain>.``. Nested mappings become dotted keys (``status.accepted``,
``console.sign_in``).

Plural forms follow the Rails i18n convention: a mapping whose keys are CLDR plural
categories (``zero one two few many other``), ``other`` among them, is one text in
several forms. The form is chosen for the count ``n`` by the CLDR rules of the
language (babel): English has ``one`` and ``other``, Chinese only ``other``, so a
plain string is a complete plural text in Chinese.

:func:`problems` checks a whole set of files: the same keys in every language, the same
placeholders in every form of a text, and every plural form a language needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Any

import yaml
from babel import Locale
from babel.plural import PluralRule

from dialogs.vocabulary import Language

LOCALE_DIR = Path(__file__).with_name("locales")
FILE_STEMS: dict[str, str] = {Language.ZH_CN: "zh_CN", Language.EN: "en"}
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
COUNT = "n"  # the placeholder a plural form is chosen by


@dataclass(frozen=True)
class Catalog:
    """One language's texts: ``texts[key]`` (a plural's ``other`` form) and the forms."""

    texts: dict[str, str] = field(default_factory=dict)
    plurals: dict[str, dict[str, str]] = field(default_factory=dict)


def _is_plural(value: Mapping[Any, Any]) -> bool:
    keys = {str(k) for k in value}
    texts = all(isinstance(v, str) for v in value.values())
    return "other" in keys and keys <= PLURAL_CATEGORIES and texts


def _flatten(data: Mapping[Any, Any], prefix: str, into: Catalog, source: Path) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and _is_plural(value):
            forms = {str(k): str(v) for k, v in value.items()}
            into.plurals[name] = forms
            _put(into, name, forms["other"], source)
        elif isinstance(value, Mapping):
            _flatten(value, name + ".", into, source)
        else:
            _put(into, name, str(value), source)


def _put(into: Catalog, key: str, text: str, source: Path) -> None:
    if key in into.texts:
        raise ValueError(f"{source.name}: {key} is defined twice in the catalog")
    into.texts[key] = text


def files(directory: Path, language: str) -> list[tuple[str, Path]]:
    """``(key prefix, file)`` of one language: the chat's file first, then each domain's."""
    stem = FILE_STEMS.get(language, language.replace("-", "_"))
    found = [("", directory / f"{stem}.yaml")]
    for path in sorted(directory.glob(f"*.{stem}.yaml")):
        found.append((path.name.removesuffix(f".{stem}.yaml") + ".", path))
    return found


def load(directory: Path, language: str) -> Catalog:
    """Every text of ``language`` in ``directory``.

    Raises:
        ValueError: a key is defined twice (in one file, or by a domain and the chat).
    """
    catalog = Catalog()
    for prefix, path in files(directory, language):
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        _flatten(data, prefix, catalog, path)
    return catalog


@lru_cache(maxsize=16)
def _rule(language: str) -> PluralRule:
    rule: PluralRule = Locale.parse(language, sep="-").plural_form
    return rule


def categories(language: str) -> frozenset[str]:
    """The CLDR plural categories ``language`` uses (``{"one", "other"}`` for English)."""
    return frozenset(_rule(language).tags) | {"other"}


def plural_category(language: str, count: object) -> str:
    """The CLDR category of ``count`` in ``language``; ``other`` for a non-number."""
    if isinstance(count, bool) or not isinstance(count, int | float | Decimal):
        return "other"
    return str(_rule(language)(count))


def choose(catalog: Catalog, language: str, key: str, count: object) -> str | None:
    """The text of ``key`` for ``count`` (its plural form when it has forms)."""
    forms = catalog.plurals.get(key)
    if forms is not None and count is not None:
        return forms.get(plural_category(language, count)) or forms["other"]
    return catalog.texts.get(key)


def placeholders(text: str) -> set[str]:
    """The values a text asks for: ``{d.day}`` and ``{d:%d}`` both ask for ``d``."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:
        return {"<unbalanced braces>"}
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in parsed if name}


def problems(
    directory: Path,
    languages: Iterable[str] = tuple(FILE_STEMS),
    *,
    fewer_placeholders: Mapping[str, str] | None = None,
) -> list[str]:
    """What is wrong with the catalog in ``directory``, one line per problem.

    Args:
        directory: a locales folder.
        languages: the languages it must have, the reference language first.
        fewer_placeholders: ``key -> language`` where that language's text may leave
            out some of the reference's placeholders (never add any).

    Returns:
        Nothing when every language has every key, every form of a text has the
        reference's placeholders, and every plural text has each form its language
        needs (and no other); otherwise the problems, each naming key and language.
    """
    allowed = dict(fewer_placeholders or {})
    langs = list(languages)
    loaded = {lang: load(directory, lang) for lang in langs}
    reference = loaded[langs[0]]
    every = set().union(*(set(c.texts) for c in loaded.values()))
    found: list[str] = []
    for key in sorted(every):
        missing = [lang for lang in langs if key not in loaded[lang].texts]
        if missing:
            found.append(f"{key}: missing in {', '.join(missing)}")
            continue
        expected = placeholders(reference.texts[key])
        plural = any(key in c.plurals for c in loaded.values())
        for lang in langs:
            catalog = loaded[lang]
            forms = catalog.plurals.get(key, {"other": catalog.texts[key]})
            if plural and set(forms) != categories(lang):
                found.append(
                    f"{key}: {lang} has the plural forms {sorted(forms)}, "
                    f"it needs {sorted(categories(lang))}"
                )
            for form, text in forms.items():
                names = placeholders(text)
                subset = allowed.get(key) == lang and names <= expected
                if names != expected and not subset:
                    found.append(
                        f"{key} ({lang}, {form}): placeholders {sorted(names)}, "
                        f"expected {sorted(expected)}"
                    )
    return found
