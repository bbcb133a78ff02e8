"""What every channel adapter shares: the platform names and the adapter error."""

from __future__ import annotations

from dialogs.events import Platform

__all__ = ["AdapterError", "Platform"]


class AdapterError(Exception):
    """A request the adapter refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
