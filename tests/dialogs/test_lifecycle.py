"""The complaint status machine: every pair of statuses against the documented table."""

from __future__ import annotations

import itertools

import pytest

from dialogs import lifecycle
from dialogs.lifecycle import (
    FINAL_STATUSES,
    STATUSES,
    IllegalMove,
    allowed_moves,
    check_move,
    consumer_can_rate,
    consumer_can_withdraw,
    needs_reason,
    notify_consumer_on,
)

# Written out independently of lifecycle.MOVES so a slip in either is caught.
EXPECTED: dict[str, set[str]] = {
    "submitted": {"accepted", "rejected", "transferred", "withdrawn"},
    "accepted": {"mediating", "transferred", "resolved", "failed", "withdrawn"},
    "mediating": {"resolved", "failed", "transferred", "withdrawn"},
    "transferred": {"closed"},
    "rejected": {"closed"},
    "resolved": {"closed"},
    "failed": {"closed", "transferred"},
    "closed": set(),
    "withdrawn": set(),
}


def test_statuses_match_the_design_vocabulary() -> None:
    assert set(STATUSES) == set(EXPECTED)
    assert len(STATUSES) == 9
    assert FINAL_STATUSES == {"closed", "withdrawn"}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(STATUSES, STATUSES)))
def test_every_pair_against_the_table(current: str, target: str) -> None:
    if target in EXPECTED[current]:
        check_move(current, target)
    else:
        with pytest.raises(IllegalMove) as info:
            check_move(current, target)
        assert info.value.current == current
        assert info.value.target == target
        assert set(info.value.allowed) == EXPECTED[current]
    assert not lifecycle.MACHINE.models


@pytest.mark.parametrize("status", STATUSES)
def test_allowed_moves_match_the_table(status: str) -> None:
    assert set(allowed_moves(status)) == EXPECTED[status]
    assert len(allowed_moves(status)) == len(EXPECTED[status])


def test_final_statuses_have_no_moves() -> None:
    for status in FINAL_STATUSES:
        assert allowed_moves(status) == ()
        assert lifecycle.is_final(status)
    assert not lifecycle.is_final("resolved")


def test_closed_cannot_be_reopened() -> None:
    with pytest.raises(IllegalMove, match="'closed' to 'accepted'"):
        check_move("closed", "accepted")


@pytest.mark.parametrize(
    ("current", "target"),
    [("bogus", "accepted"), ("submitted", "bogus"), ("", ""), ("SUBMITTED", "accepted")],
)
def test_unknown_statuses_are_illegal(current: str, target: str) -> None:
    with pytest.raises(IllegalMove) as info:
        check_move(current, target)
    assert info.value.allowed == allowed_moves(current)
    assert allowed_moves("bogus") == ()


def test_submitted_is_never_a_target() -> None:
    for status in STATUSES:
        with pytest.raises(IllegalMove):
            check_move(status, "submitted")


def test_machine_is_built_once_and_left_without_models() -> None:
    machine = lifecycle.MACHINE
    for current, target in itertools.product(STATUSES, STATUSES):
        try:
            check_move(current, target)
        except IllegalMove:
            pass
    assert lifecycle.MACHINE is machine
    assert len(machine.models) == 0


def test_no_auto_transitions_on_the_machine() -> None:
    # The default to_<state> triggers would let any status jump anywhere.
    assert not any(name.startswith("to_") for name in lifecycle.MACHINE.events)


def test_illegal_move_message_lists_allowed() -> None:
    err = IllegalMove("transferred", "accepted", ("closed",))
    assert "closed" in str(err)
    assert "none" in str(IllegalMove("closed", "accepted", ()))


@pytest.mark.parametrize("status", STATUSES)
def test_needs_reason(status: str) -> None:
    assert needs_reason(status) == (status in {"rejected", "failed"})


@pytest.mark.parametrize("status", STATUSES)
def test_consumer_can_withdraw(status: str) -> None:
    assert consumer_can_withdraw(status) == (status in {"submitted", "accepted", "mediating"})
    # Whatever the consumer may withdraw, the machine must allow.
    if consumer_can_withdraw(status):
        check_move(status, "withdrawn")


@pytest.mark.parametrize("status", STATUSES)
def test_consumer_can_rate(status: str) -> None:
    assert consumer_can_rate(status) == (status in {"resolved", "closed"})


@pytest.mark.parametrize("status", STATUSES)
def test_notify_consumer_on(status: str) -> None:
    expected = {"accepted", "rejected", "transferred", "resolved", "closed", "failed", "mediating"}
    assert notify_consumer_on(status) == (status in expected)


def test_helpers_refuse_unknown_statuses() -> None:
    for helper in (needs_reason, consumer_can_withdraw, consumer_can_rate, notify_consumer_on):
        assert helper("bogus") is False
