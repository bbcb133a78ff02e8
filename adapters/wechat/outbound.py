"""Neutral replies → WeChat passive reply XML and plain push text (pure: no I/O).

A passive reply carries one message, so all replies of a turn are joined into one text;
choices become a numbered list the consumer answers with the number or the words
(dialogs/validators.match_choice understands both).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wechatpy.replies import TextReply

from dialogs.replies import Reply

# WeChat cuts (or refuses) passive text replies over 2048 bytes of UTF-8.
MAX_TEXT_BYTES = 2048
ELLIPSIS = "…"

# Characters XML 1.0 forbids; WeChat's parser rejects the whole reply if one appears.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text that cannot break a CDATA section or the XML around it.

    ``]]>`` would end the CDATA section early (wechatpy's TextReply does not escape it);
    splitting it across two sections keeps the consumer's text intact.
    """
    return _CONTROL.sub("", text).replace("]]>", "]]]]><![CDATA[>")


def render_text(reply: Reply) -> str:
    """One reply as text, its choices as a numbered list."""
    lines = [reply.text.strip()]
    lines.extend(f"{n}. {choice.label}" for n, choice in enumerate(reply.choices, start=1))
    return "\n".join(line for line in lines if line)


def _cut(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    # errors="ignore" drops a multi-byte character split by the cut.
    return data[: max(room, 0)].decode("utf-8", "ignore") + ELLIPSIS


def join(replies: Sequence[Reply], limit: int = MAX_TEXT_BYTES) -> str:
    """All replies as one text of at most ``limit`` UTF-8 bytes.

    The last reply is the open question with its choices: it is kept whole when it
    fits, and the earlier replies are shortened instead.
    """
    blocks = [render_text(r) for r in replies if r.text or r.choices]
    if not blocks:
        return ""
    text = "\n\n".join(blocks)
    if len(text.encode("utf-8")) <= limit:
        return text
    last = _cut(blocks[-1], limit)
    room = limit - len(last.encode("utf-8")) - len(b"\n\n")
    earlier = "\n\n".join(blocks[:-1])
    if room <= len(ELLIPSIS.encode("utf-8")) or not earlier:
        return last
    return _cut(earlier, room) + "\n\n" + last


def passive_reply(
    replies: Sequence[Reply], *, user: str, account: str, now: int
) -> str | None:
    """The passive reply XML, or None when there is nothing to say (answer "success").

    The limit is applied before escaping so ``]]>`` splitting never cuts a CDATA marker.
    """
    text = join([Reply(_CONTROL.sub("", r.text), r.choices) for r in replies])
    if not text:
        return None
    reply = TextReply(source=account, target=user, time=now, content=clean(text))
    rendered: str = reply.render()
    return rendered
