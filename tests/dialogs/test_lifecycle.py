"""The complaint statuses and the rules about them (the machine: tests/storage)."""

from __future__ import annotations

import pytest

from dialogs import lifecycle
from dialogs.lifecycle import (
    FINAL_STATUSES,
    STATUSES,
    IllegalMove,
    consumer_can_rate,
    consumer_can_withdraw,
    needs_reason,
    notify_consumer_on,
)

# Written out independently of lifecycle.TRANSITIONS so a slip in either is caught.
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


def test_the_declared_transitions_are_the_table() -> None:
    declared: dict[str, set[str]] = {status: set() for status in STATUSES}
    for move in lifecycle.TRANSITIONS:
        sources = move["source"] if isinstance(move["source"], list) else [move["source"]]
        for source in sources:
            declared[source].add(move["dest"])
    assert declared == EXPECTED
    # One trigger per target status.
    assert len({m["dest"] for m in lifecycle.TRANSITIONS}) == len(lifecycle.TRANSITIONS)


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
    # Whatever the consumer may withdraw, the lifecycle must allow.
    assert consumer_can_withdraw(status) == ("withdrawn" in EXPECTED[status])


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
