"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters.

Positions 1–17 carry the registering authority, the entity type, the region and the
organisation code; position 18 is a check character computed over the first 17 with
weights 3^(i) mod 31 in an alphabet of 31 characters (digits and capitals without
I, O, Z, S and V, which are too easily misread).
"""

from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


class BadCreditCode(ValueError):
    """The text is not a valid unified social credit code; the message says why."""


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise_code(text: str) -> str:
    """A code as typed (full-width, lower case, spaces) in its canonical form."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def validated(text: str) -> str:
    """The canonical code, checked.

    Raises:
        BadCreditCode: wrong length, a character outside the alphabet, or a wrong check
            character.
    """
    code = normalise_code(text)
    if len(code) != LENGTH:
        raise BadCreditCode(f"a unified social credit code has 18 characters, not {len(code)}")
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        raise BadCreditCode(f"characters not used in credit codes: {' '.join(bad)}")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise BadCreditCode(f"the check character is wrong (expected {expected}): mistyped code?")
    return code
