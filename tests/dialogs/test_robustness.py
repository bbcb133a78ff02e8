"""Nothing a consumer sends may crash the dialog, in any state.

Every state of the machine is reached by a real walk, then a corpus of odd inputs is
thrown at it; each must get a non-empty answer and leave a valid, JSON-safe state.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache
from typing import Any

import pytest

from dialogs.conversation import Conversation
from dialogs.events import (
    ContactShared,
    InboundEvent,
    LocationMessage,
    MediaKind,
    MediaMessage,
    MenuClicked,
    Subscribed,
    Unsupported,
)
from dialogs.machine import MACHINE
from dialogs.offers import enter_consent, enter_offer
from dialogs.options import DialogOptions

from .helpers import NOW, Bot, base, photo, press, text
from .test_flows import COMPLAINT_SCRIPT

ODD_TEXTS = [
    "", " ", "\n\n\t", "\x00", "\x00" * 100, "x" * 10_000, "1" * 500, "😀" * 50, "👍",
    "\u202eevil\u202c", "\u200f\u200e", "\x1b[31mred", "0", "-1", "99", "1.5", "1 2 3 4 5 6 7 8 9",
    "None", "null", "{}", "<script>alert(1)</script>", "/unknown", "？", "%s %d {0} {x}",
    "'; DROP TABLE complaints; --", "ｅｄｉｔ　９９", "修改 99", "\ud800",
]
ODD_EVENTS: list[InboundEvent] = [
    *(text(t) for t in ODD_TEXTS),
    text("语音识别的内容", from_voice=True),
    photo(),
    MediaMessage(**base(), kind=MediaKind.VIDEO, size=10**12, file_name="\x00.exe"),
    LocationMessage(**base(), latitude=0.0, longitude=0.0),
    LocationMessage(**base(), latitude=91.0, longitude=200.0, label="x" * 5000),
    ContactShared(**base(), phone="+8613812345678", is_own=False),
    ContactShared(**base(), phone="garbage", name="\x00"),
    press("x" * 64),
    press("no-such-choice", None),
    press("1", "no_such_step"),
    MenuClicked(**base(), key="unknown"),
    Unsupported(**base()),
    Subscribed(**base()),
]


class RecordingBot(Bot):
    """Remembers the first conversation seen in each state."""

    def __init__(self, seen: dict[str, Conversation], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen = seen
        self.add_detail("WQ1", can_rate=True, can_withdraw=True, can_reply=True)

    def send(self, event: Any) -> Any:
        replies = super().send(event)
        self.seen.setdefault(self.state, self.conv)
        return replies


@lru_cache(maxsize=1)
def snapshots() -> dict[str, Conversation]:
    seen: dict[str, Conversation] = {"start": Conversation()}
    scripts: list[list[Any]] = [
        [*COMPLAINT_SCRIPT, "edit", "back", "取消"],
        ["hi", "2", "other", "shop", "这家店卖假货，还不给退。", "skip", "language"],
        ["查询", "1", "withdraw"],
        ["查询", "1", "rate", "5"],
        ["查询", "1", "add_evidence"],
        ["查询", "1", "reply"],
        ["hi", "link", "绑定 654321"],
        ["hi", "1", "1", "1", "是"],
        ["hi", "1", "1", "1", "否", "店名", "跳过", "跳过", "2020-01-01"],
        ["hi", "delete my data"],
        ["hi", "撤回同意"],
    ]
    for script in scripts:
        bot = RecordingBot(seen)
        for message in script:
            bot.send(message)
    # A merchant's offer and the consent question are entered from outside a message.
    for enter in (
        lambda conv: enter_offer(conv, offer_id=7, number="WQ1", text="Suning: a refund.",
                                 now=NOW, options=DialogOptions()),
        lambda conv: enter_consent(conv, number="WQ1", merchant_id=3, merchant="Suning",
                                   now=NOW, options=DialogOptions()),
    ):  # fmt: skip
        bot = RecordingBot(seen)
        bot.send("hi")
        bot.run(enter(bot.conv))
        seen.setdefault(bot.state, bot.conv)
    bot = RecordingBot(seen)
    for message in ["hi", "1", "1"]:
        bot.send(message)
    bot.now = NOW + timedelta(days=3)
    bot.send("2")
    return seen


def test_every_state_is_reached() -> None:
    assert set(snapshots()) == set(MACHINE.states)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("state", sorted(MACHINE.states))
def test_odd_inputs_never_crash(state: str, language: str) -> None:
    conv = replace(snapshots()[state], language=language)
    for event in ODD_EVENTS:
        bot = RecordingBot({}, conv=conv)
        replies = bot.send(event)
        assert replies, (state, event)
        assert all(r.text.strip() for r in replies), (state, event)
        assert bot.state in MACHINE.states, (state, event)
        json.dumps(bot.conv.answers)
        for reply in replies:
            for choice in reply.choices:
                assert choice.id.isascii() and len(choice.id.encode()) <= 40


def test_unknown_stored_state_recovers() -> None:
    bot = Bot(conv=Conversation(state="no_such_state", answers={"draft": "corrupt"}))
    assert bot.send("hello")
    assert bot.state == "menu"


@pytest.mark.parametrize(
    "answers",
    [
        {"type": "complaint", "draft": [], "done_steps": 5, "editing": "yes"},
        {"type": 3, "listed": "x", "viewing": "y", "evidence_count": "many"},
        {"type": "nonsense", "draft": {"category": "no_such"}},
    ],
)
@pytest.mark.parametrize("state", ["merchant_name", "subcategory", "confirm", "my_list",
                                   "my_detail", "evidence", "rating_comment"])
def test_corrupt_answers_recover(answers: dict[str, Any], state: str) -> None:
    for message in ["1", "hello there", "back"]:
        bot = Bot(conv=Conversation(state=state, answers=answers))
        assert bot.send(message)
        assert bot.state in MACHINE.states
        json.dumps(bot.conv.answers)
