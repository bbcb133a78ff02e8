"""What the merchant desk says when it refuses: in the page's language, never the API's
English sentence inside a Chinese page.

:mod:`bots.merchants.work` raises :class:`~bots.staff.errors.ActionError` with an
English sentence for the API; the page recognises the known ones and shows its own
words (``merchant_desk.err_…`` in the catalog). An unknown one is a generic sentence
with the status code; an error page (403, 404, 422, …) says what went wrong in general.
"""

from __future__ import annotations

import re

from bots.staff.errors import ActionError
from dialogs import texts

_KNOWN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^the text is empty", "err_empty"),
        (r"^the text is longer than", "err_too_long"),
        (r"^the amount is too long|^not an amount", "err_amount"),
        (r"^the amount must be above 0", "err_amount_range"),
        (r"^the amount has at most two decimals", "err_amount_decimals"),
        (r"^kind must be one of", "err_kind"),
        (r": no offers now$", "err_no_offers"),
        (r"took complaint \S+ back", "taken_back"),
        (r"^no complaint", "error_404"),
    )
)


def refusal_message(error: ActionError, language: str) -> str:
    """The sentence a merchant reads for a refused reply or offer."""
    t = texts.translator(language, "merchant_desk")
    for pattern, key in _KNOWN:
        if pattern.search(error.message):
            return t(key)
    return error.message if language == "en" else t("error_other", code=error.status)


def error_message(status: int, detail: str, language: str) -> str:
    """The sentence of an error page: ``detail`` names the field of a 422."""
    t = texts.translator(language, "merchant_desk")
    if status == 403:
        return t("forbidden")
    if status == 404:
        return t("error_404")
    if status == 422:
        return t("error_422", field=detail.split(":", 1)[0] or "?")
    return t("error_other", code=status)
