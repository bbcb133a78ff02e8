"""Replies: the messages a dialog step answers the consumer with.

A :class:`Reply` is text in one language plus its options (:class:`Choice`); each
channel renders it its own way (WeChat a numbered list, Telegram and web buttons). It is
stored with the turn as a dict (:meth:`Reply.to_dict` / :meth:`Reply.from_dict`) so a
repeated message is answered the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Choice:
    """One option of a question; ``id`` is what a button sends back."""

    id: str
    label: str


@dataclass(frozen=True)
class Reply:
    """A message to the consumer: text plus optional choices.

    Attributes:
        text: the message, in one language.
        choices: options; WeChat renders them as a numbered list, Telegram and web as
            buttons. The consumer may answer with the id, the number or the label.
        step: the dialog state the choices belong to, so a stale button can be told apart.
        request_contact: offer a "share my number" button where the platform has one.
        multi: the choices may be combined ("1 3"), e.g. demands.
        attachment: a file the channel adds to this message (``my_data``: the consumer's
            data export; Telegram sends it as a document, the web page offers a download).
        link: a URL the consumer can open (the web chat shows it as a link).
        document: a server-made reference to a file a channel attaches where it can
            (Telegram sends it as a document), e.g. ``dossier:en:WQ…``.
        progress: ``(n, of)`` when the question is step n of a guided flow of ``of`` steps.
        language: the conversation's language when the reply asks a question, so a page
            can follow a language switch made in the chat.
        sender: who wrote a notice the consumer reads: ``staff`` or ``merchant``.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    step: str | None = None
    request_contact: bool = False
    multi: bool = False
    attachment: str | None = None
    link: str | None = None
    document: str | None = None
    progress: tuple[int, int] | None = None
    language: str | None = None
    sender: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "choices": [{"id": c.id, "label": c.label} for c in self.choices],
            "step": self.step,
            "request_contact": self.request_contact,
            "multi": self.multi,
        }
        if self.attachment:
            data["attachment"] = self.attachment
        # Only when set: stored replies of every other message keep their old shape.
        if self.link:
            data["link"] = self.link
        if self.document:
            data["document"] = self.document
        # Written only when set: rows stored before these fields read the same.
        if self.progress is not None:
            data["progress"] = list(self.progress)
        if self.language is not None:
            data["language"] = self.language
        if self.sender is not None:
            data["sender"] = self.sender
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data["text"],
            choices=tuple(Choice(c["id"], c["label"]) for c in data.get("choices", ())),
            step=data.get("step"),
            request_contact=bool(data.get("request_contact", False)),
            multi=bool(data.get("multi", False)),
            attachment=data.get("attachment") or None,
            link=data.get("link") or None,
            document=data.get("document") or None,
            progress=_progress(data.get("progress")),
            language=_text_or_none(data.get("language")),
            sender=_text_or_none(data.get("sender")),
        )


def _progress(raw: Any) -> tuple[int, int] | None:
    if isinstance(raw, list | tuple) and len(raw) == 2 and all(type(n) is int for n in raw):
        return (raw[0], raw[1])
    return None


def _text_or_none(raw: Any) -> str | None:
    return raw if isinstance(raw, str) else None

