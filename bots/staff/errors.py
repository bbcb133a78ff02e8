"""Why a staff action is refused, and the HTTP status each refusal maps to.

Every staff (and merchant) action raises one of these with what the refusal means: a
catalog key (``errors.<key>`` in ``dialogs/locales/errors.*.yaml``) and its parameters,
never a sentence. The API answers with the status and :attr:`ActionError.message`
(English, codes as they are); the console and the merchant page show
:meth:`ActionError.text` in the reader's language (:mod:`dialogs.refusals`).
"""

from __future__ import annotations

from dialogs import refusals


class ActionError(Exception):
    """A refused action; ``status`` is the HTTP status it maps to."""

    status = 400

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    @property
    def message(self) -> str:
        """The API's sentence (its JSON ``detail``): English, codes as they are."""
        return refusals.api_text(self.key, self.params)

    def text(self, language: str) -> str:
        """The sentence a person reads, in ``language``, with labels for the codes."""
        return refusals.people_text(self.key, self.params, language)

    def __str__(self) -> str:
        return self.message


class NotFound(ActionError):
    status = 404


class Forbidden(ActionError):
    status = 403


class Conflict(ActionError):
    """Not now: the lifecycle does not allow it (``allowed`` names the moves that are),
    or the case is past the point where it could be done."""

    status = 409

    @property
    def allowed(self) -> tuple[str, ...]:
        allowed = self.params.get("allowed", ())
        return tuple(str(s) for s in allowed) if isinstance(allowed, tuple | list) else ()


class Invalid(ActionError):
    status = 422
