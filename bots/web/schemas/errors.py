"""The error answers of the JSON API, for ``responses=`` on its routers.

Every error is ``{"detail": "…"}`` (:mod:`bots.web.routes.errors`); a lifecycle refusal
(409) adds the moves that are allowed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """Why the request was not done, in one line."""

    detail: str


class Refusal(Problem):
    """A refused move; ``allowed`` lists the moves the complaint can make instead."""

    allowed: list[str] | None = Field(default=None, description="with a lifecycle refusal")


def _problem(description: str, model: type[BaseModel] = Problem) -> dict[str, Any]:
    return {"model": model, "description": description}


#: The errors of every signed-in API operation.
SIGNED_IN: dict[int | str, dict[str, Any]] = {
    401: _problem("not signed in, or the token has expired"),
    403: _problem("the signed-in account's role may not do this"),
    404: _problem("not found, or not for this account to see"),
    409: _problem("the complaint cannot do this now", Refusal),
    422: _problem("a field is missing or wrong; the detail names it"),
}

#: What a request without a sign-in can be refused with.
INVALID: dict[int | str, dict[str, Any]] = {
    422: _problem("a field is missing or wrong; the detail names it"),
}
