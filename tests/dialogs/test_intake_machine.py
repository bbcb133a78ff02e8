"""The intake machine: built once, runs on each message's turn, refuses undeclared moves."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from transitions import MachineError

from dialogs.conversation import Conversation
from dialogs.machine import MACHINE, State, fire
from dialogs.options import DialogOptions
from dialogs.turn import Turn

from .helpers import Bot
from .test_flows import COMPLAINT_SCRIPT, walk

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def turn(state: str, **answers: Any) -> Turn:
    return Turn.begin(Conversation(state=state, answers=answers), now=NOW,
                      options=DialogOptions())


def test_the_machine_holds_no_model_through_a_whole_conversation() -> None:
    machine = MACHINE
    bot = Bot()
    walk(bot, [*COMPLAINT_SCRIPT, "back", "back", "取消", "否"])
    assert MACHINE is machine and MACHINE.models == []
    assert not any(name.startswith("to_") for name in MACHINE.events)


def test_each_thread_moves_its_own_turn() -> None:
    complaint, report = turn("merchant_name", type="complaint"), turn("merchant_name",
                                                                      type="report")
    barrier = threading.Barrier(2)

    def move(t: Turn) -> None:
        barrier.wait()
        for _ in range(200):
            t.state = "merchant_name"
            fire(t, "answer")

    workers = [threading.Thread(target=move, args=(t,)) for t in (complaint, report)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert (complaint.state, report.state) == ("merchant_address", "description")


def test_a_move_the_machine_does_not_declare_is_refused() -> None:
    with pytest.raises(MachineError):
        fire(turn(State.MY_LIST), "back")
    with pytest.raises(MachineError):
        fire(turn(State.MENU), "answer")


def test_an_unknown_stored_state_is_not_moved() -> None:
    stale = turn("no_longer_a_step", type="complaint")
    assert fire(stale, "answer") is False and stale.state == "no_longer_a_step"


@pytest.mark.parametrize("state", sorted(MACHINE.states))
def test_a_request_starts_from_every_state(state: str) -> None:
    fresh = turn(state, type="report", draft={}, done_steps=[])
    assert fire(fresh, "request") and fresh.state == "category"
    kept = turn(state, type="report", draft={"category": "food"}, resume_new="complaint")
    assert fire(kept, "request") and kept.state == State.RESUME


def test_cancel_remembers_the_question_and_no_returns_to_it() -> None:
    t = turn("amount", type="complaint", draft={}, editing=True)
    fire(t, "cancel")
    assert t.state == State.CANCEL_CONFIRM and t.answers["cancel_return"] == "amount"
    fire(t, "resume")
    assert t.state == "amount" and "cancel_return" not in t.answers


def test_editing_starts_on_edit_and_ends_at_the_summary() -> None:
    t = turn(State.CONFIRM, type="report", draft={}, done_steps=[], editing=False)
    assert fire(t, "edit", step="merchant_name") and t.state == "merchant_name"
    assert t.answers["editing"] is True
    fire(t, "back")
    assert t.state == State.CONFIRM and t.answers["editing"] is False
    fire(t, "edit")
    assert t.state == State.EDIT_PICK
