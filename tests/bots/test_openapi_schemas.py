"""The OpenAPI schema documents what every staff, merchant and chat endpoint returns.

Walks ``app.openapi()``: each operation of those routers documents a success answer,
and every JSON success answer has a schema that is typed all the way down — no empty
schema (FastAPI's ``Any``), no free object (``dict[str, Any]``), no list of anything.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute

from bots.settings import Settings
from bots.web.app import create_app

ROUTERS = {
    f"bots.web.routes.{name}"
    for name in (
        "staff_api", "staff_ops", "case_routes", "deadlines", "dossier", "merchant_api",
        "merchants_api", "chat", "my_data", "progress",
    )
}  # fmt: skip
#: Free on purpose, each with its reason.
FREE = {
    # The consumer's own copy of a draft: the conversation's answers as they are stored.
    "DraftRecord.answers",
}


def untyped(schema: Any, components: dict[str, Any], where: str, seen: frozenset[str] = frozenset()
            ) -> Iterator[str]:  # fmt: skip
    """The places under ``schema`` that say nothing about their values."""
    if where in FREE:
        return
    if not isinstance(schema, dict) or not schema:
        yield where
        return
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from untyped(components[name], components, name, seen | {name})
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for n, part in enumerate(schema.get(key, ())):
            yield from untyped(part, components, f"{where}[{n}]", seen)
    if any(key in schema for key in ("anyOf", "oneOf", "allOf", "const", "enum")):
        return
    kinds = schema.get("type")
    if kinds is None:
        yield where
        return
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "object" in kinds:
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        if not properties and not isinstance(extra, dict):
            yield where
        for name, part in properties.items():
            yield from untyped(part, components, f"{where}.{name}", seen)
        if isinstance(extra, dict):
            yield from untyped(extra, components, f"{where}[*]", seen)
    if "array" in kinds:
        yield from untyped(schema.get("items"), components, f"{where}[]", seen)


@pytest.fixture(scope="module")
def app_routes(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[APIRoute]]:
    var = Path(tmp_path_factory.mktemp("openapi"))
    app = create_app(
        Settings(
            database_url=f"sqlite+aiosqlite:///{var}/unused.db", var_dir=var,
            secret_key="openapi-secret-key-0123456789", _env_file=None,  # type: ignore[call-arg]
        )
    )  # fmt: skip
    # The routers as their modules define them (the app includes them without a prefix).
    routes = [
        route
        for name in sorted(ROUTERS)
        for router in vars(importlib.import_module(name)).values()
        if isinstance(router, APIRouter)
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        and route.endpoint.__module__ == name
    ]  # fmt: skip
    return app.openapi(), routes


def _successes(spec: dict[str, Any], route: APIRoute) -> Iterator[tuple[str, str, str, Any]]:
    for method in sorted(route.methods):
        operation = spec["paths"][route.path_format][method.lower()]
        label = f"{method} {route.path_format}"
        for code, answer in operation["responses"].items():
            if code.startswith("2"):
                for media, content in (answer.get("content") or {}).items():
                    yield label, code, media, content.get("schema")


def test_every_operation_documents_a_success_with_its_content(
    app_routes: tuple[dict[str, Any], list[APIRoute]],
) -> None:
    spec, routes = app_routes
    assert len(routes) > 45  # every router was found
    bare = [
        f"{method} {route.path_format}"
        for route in routes
        for method in route.methods
        if not any(True for _ in _successes(spec, route))
    ]
    assert not bare, bare


def test_every_json_success_has_a_typed_schema(
    app_routes: tuple[dict[str, Any], list[APIRoute]],
) -> None:
    spec, routes = app_routes
    components = spec.get("components", {}).get("schemas", {})
    found: list[str] = []
    checked = 0
    for route in routes:
        for label, code, media, schema in _successes(spec, route):
            if "json" in media:
                checked += 1
                found += [f"{label} {code}: {place}" for place in untyped(schema, components,
                                                                          "response")]  # fmt: skip
            else:
                # Files, pages and CSV: the schema says it is a string (or binary).
                assert schema and schema.get("type") == "string", f"{label} {code} {media}"
    assert checked > 35
    assert not found, "\n".join(found)


FREE_REF = {"$ref": "#/components/schemas/Free"}


@pytest.mark.parametrize(
    "schema",
    [
        {},  # FastAPI's ``-> Any``
        {"type": "object", "additionalProperties": True},  # ``dict[str, Any]``
        {"type": "object"},
        {"type": "array"},
        {"type": "array", "items": {}},  # ``list[Any]``
        {"anyOf": [{"type": "string"}, {}]},
        # a typed list of an untyped component
        {"type": "object", "properties": {"rows": {"type": "array", "items": FREE_REF}}},
    ],
)
def test_the_walk_finds_what_is_untyped(schema: dict[str, Any]) -> None:
    components = {"Free": {"type": "object", "additionalProperties": True, "title": "Free"}}
    assert list(untyped(schema, components, "response"))


def test_the_walk_accepts_typed_schemas() -> None:
    components = {"Row": {"type": "object", "properties": {"n": {"type": "integer"}}}}
    typed = {
        "type": "object",
        "properties": {
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
            "by_day": {"type": "object", "additionalProperties": {"type": "integer"}},
            "next": {"anyOf": [{"$ref": "#/components/schemas/Row"}, {"type": "null"}]},
        },
    }
    assert list(untyped(typed, components, "response")) == []
