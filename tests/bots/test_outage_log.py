"""An outage is logged when it starts, once a period while it lasts, and when it ends."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy.exc import OperationalError

from bots.ops.outage import MAX_BACKOFF_SECONDS, Outage, backoff


def test_an_outage_is_one_line_a_period_and_one_at_the_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="weiquan.background")
    outage = Outage("delivering notices", every=0.5)
    down = OperationalError("SELECT 1", {"phone": "13812345678"}, ConnectionRefusedError())
    began = time.monotonic()
    while time.monotonic() - began < 1.2:  # ~1,000 failed steps
        outage.failed(down)
        time.sleep(0.001)
    outage.recovered()
    lines = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert lines == [
        ("ERROR", "delivering notices failing"),
        ("ERROR", "delivering notices still failing"),
        ("ERROR", "delivering notices still failing"),
        ("WARNING", "delivering notices working again"),
    ]
    assert all(r.exc_info is None for r in caplog.records)  # no driver text, no traceback
    assert caplog.records[0].error == "ConnectionRefusedError"  # type: ignore[attr-defined]
    assert "13812345678" not in caplog.text
    assert caplog.records[-1].failures > 100  # type: ignore[attr-defined]


def test_a_bug_gets_its_traceback_once() -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("weiquan.background")
    logger.addHandler(handler)
    try:
        outage = Outage("downloading evidence", every=60)
        for _ in range(50):
            outage.failed(KeyError("a bug"))
    finally:
        logger.removeHandler(handler)
    assert len(records) == 1 and records[0].exc_info is not None


def test_backoff_doubles_from_the_poll_interval_up_to_a_cap() -> None:
    assert [backoff(1.0, n) for n in range(4)] == [1.0, 1.0, 2.0, 4.0]
    assert backoff(1.0, 50) == MAX_BACKOFF_SECONDS
