"""Cleaned string types for request models, query parameters and form fields.

The same rules as :mod:`dialogs.cleaning`, as pydantic ``Annotated`` types, so a model
or a route parameter says what it accepts in its signature:

- ``FreeText``: control characters removed, line breaks and tabs kept;
- ``Line``: one line, control characters removed, trimmed;
- ``Identifier``: refused (422) when it holds a control character.

Length limits stay with the field (``Field(max_length=…)``, ``Query(max_length=…)``)
and are checked on what was sent, before cleaning.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from dialogs import cleaning


def _identifier(value: str) -> str:
    if cleaning.has_controls(value):
        raise ValueError("must not contain control characters")
    return value


FreeText = Annotated[str, AfterValidator(cleaning.free_text)]
Line = Annotated[str, AfterValidator(cleaning.one_line)]
Identifier = Annotated[str, AfterValidator(_identifier)]
