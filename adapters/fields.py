"""Cleaned string types for request models, query parameters and form fields, and the
string formats of response models.

The same rules as :mod:`dialogs.cleaning`, as pydantic ``Annotated`` types, so a model
or a route parameter says what it accepts in its signature:

- ``FreeText``: control characters and lone surrogates removed, line breaks and tabs kept;
- ``Line``: one line, control characters and lone surrogates removed, trimmed;
- ``Identifier``: refused (422) when it holds a control character.

Length limits stay with the field (``Field(max_length=…)``, ``Query(max_length=…)``)
and are checked on what was sent, before cleaning.

Responses carry times and amounts as the strings people and spreadsheets read, and say
so in the schema: ``LocalTime`` (ISO 8601 in the local zone with its offset),
``LocalDay`` (a local calendar day) and ``Yuan`` (a decimal amount as text).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from dialogs import cleaning


def _without_surrogates(value: object) -> object:
    # pydantic refuses a str holding a lone surrogate (a browser's JSON.stringify sends one
    # for half an emoji): drop it first, so the rest of the message still arrives.
    if isinstance(value, str) and cleaning.has_controls(value, allow_layout=True):
        return cleaning.free_text(value)
    return value


def _identifier(value: str) -> str:
    if cleaning.has_controls(value):
        raise ValueError("must not contain control characters")
    return value


FreeText = Annotated[
    str, BeforeValidator(_without_surrogates), AfterValidator(cleaning.free_text)
]
Line = Annotated[str, BeforeValidator(_without_surrogates), AfterValidator(cleaning.one_line)]
Identifier = Annotated[str, AfterValidator(_identifier)]

# Plain strings in and out (the views format them); the schema names their format.
LocalTime = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "local time with its offset (ISO 8601)",
            "examples": ["2026-11-24T09:05:00+08:00"],
        }
    ),
]
LocalDay = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "description": "a local day",
            "examples": ["2026-12-03"],
        }
    ),
]
Yuan = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "description": "an amount in yuan, as a decimal string",
            "examples": ["3999.00"],
        }
    ),
]
