"""Why a staff action is refused, and the HTTP status each refusal maps to.

Every staff (and merchant) action raises one of these; the API answers with the status
and the message, the console and the merchant page say it in the reader's language
(:mod:`bots.staff.errors_text`, :mod:`bots.merchants.refusals`).
"""

from __future__ import annotations


class ActionError(Exception):
    """A refused action; ``status`` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ActionError):
    status = 404


class Forbidden(ActionError):
    status = 403


class Conflict(ActionError):
    """The lifecycle does not allow this; ``allowed`` names the moves that are."""

    status = 409

    def __init__(self, message: str, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.allowed = allowed


class Invalid(ActionError):
    status = 422
