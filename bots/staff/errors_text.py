"""Refused casework actions in the console's language.

The staff actions raise :class:`~bots.staff.errors.ActionError` with an
English sentence for the API. The console recognises the known sentences and shows its
own words; an unknown one becomes a generic sentence with the status code rather than
English inside a Chinese page.
"""

from __future__ import annotations

import re

from bots.staff.errors import ActionError, Conflict
from dialogs import texts
from dialogs.texts import status_label

_KNOWN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^moving to (?P<status>\w+) needs a note", "err_needs_note"),
        (r"^a rejection needs a reason", "err_needs_reason"),
        (r"^the reason 'other' needs a note", "err_other_needs_note"),
        (r"^a reason goes only with a rejection", "err_reason_only_rejection"),
        (r"^unknown status", "err_choose_status"),
        (r"^the text is empty", "err_empty"),
        (r"^the text is longer than", "err_too_long"),
        (r"^this needs the \w+ role", "forbidden"),
        (r"^only supervisors, or the assigned agent", "err_contact_forbidden"),
        (r"cannot be decrypted", "err_cannot_decrypt"),
        (r"^no active staff member", "err_no_staff"),
        (r"takes no evidence", "err_no_evidence"),
        (r"is already \w+$", "err_request_closed"),
        (r"^an extension needs a note", "err_extension_note"),
        (r"^no complaint", "error_404"),
    )
)


def action_message(error: ActionError, language: str) -> str:
    """The sentence a staff member reads for a refused action."""
    t = texts.translator(language, "console")
    if isinstance(error, Conflict) and error.allowed:
        allowed = (status_label(s, language) for s in error.allowed if s != "withdrawn")
        names = texts.list_separator(language).join(allowed)
        return t("err_illegal_move", allowed=names or "—")
    for pattern, key in _KNOWN:
        found = pattern.search(error.message)
        if found:
            status = found.groupdict().get("status")
            return t(key, status=status_label(status, language) if status else "")
    if language == "en":
        return error.message
    return t("error_other", code=error.status)
