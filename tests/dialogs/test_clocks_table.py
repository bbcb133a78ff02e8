"""The clocks table of flow.yaml: what it says, and what it refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bots.settings import Settings
from dialogs.clocks import load_clocks, parse_clocks, with_overrides


def test_the_shipped_table() -> None:
    clocks = {t: {r.name: r for r in rules} for t, rules in load_clocks().items()}
    complaint = clocks["complaint"]
    assert (complaint["acceptance"].workdays, complaint["acceptance"].start) == (7, "filing")
    assert (complaint["resolution"].workdays, complaint["resolution"].start) == (60, "acceptance")
    assert (complaint["mediation"].workdays, complaint["mediation"].start) == (45, "acceptance")
    decision = clocks["report"]["decision"]
    assert (decision.workdays, decision.extend_times, decision.extend_workdays) == (15, 1, 15)
    assert clocks["consultation"]["answer"].workdays == clocks["suggestion"]["answer"].workdays
    for type_id in ("complaint", "consultation"):
        assert not any(r.extend_times for r in clocks[type_id].values())


def test_settings_override_single_clocks() -> None:
    changed = with_overrides(load_clocks(), {"accept_workdays": 5, "answer_workdays": 3,
                                             "resolve_workdays": None})  # fmt: skip
    days = {(t, r.name): r.workdays for t, rules in changed.items() for r in rules}
    assert days[("complaint", "acceptance")] == 5
    assert days[("complaint", "resolution")] == 60
    assert days[("consultation", "answer")] == days[("suggestion", "answer")] == 3


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"complaint": {"soon": {"workdays": 1, "running": ["submitted"],
                                 "met_by": ["accepted"]}}}, "unknown clock"),
        ({"report": {"decision": {"workdays": 1, "running": ["open"],
                                  "met_by": ["accepted"]}}}, "statuses"),
        ({"report": {"decision": {"workdays": 1, "from": "later", "running": ["submitted"],
                                  "met_by": ["accepted"]}}}, "start"),
        ({"report": {"resolution": {"workdays": 1, "from": "acceptance",
                                    "running": ["accepted"], "met_by": ["resolved"]}}},
         "acceptance clock"),
        ({"report": {"decision": {"workdays": 0, "running": ["submitted"],
                                  "met_by": ["accepted"]}}}, "positive"),
    ],
)  # fmt: skip
def test_a_bad_table_is_refused(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_clocks(table)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="IANA"):
        Settings(timezone="Mars/Olympus", _env_file=None)  # type: ignore[call-arg]
    assert Settings(_env_file=None).timezone == "Asia/Shanghai"  # type: ignore[call-arg]


async def test_the_old_settings_still_set_the_complaint_clocks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bots.services import Services

    monkeypatch.setenv("WEIQUAN_ACCEPT_WORKDAYS", "5")
    monkeypatch.setenv("WEIQUAN_RESOLVE_WORKDAYS", "30")
    monkeypatch.setenv("WEIQUAN_ANSWER_WORKDAYS", "3")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", var_dir=tmp_path,
        secret_key="test-secret-key-test-secret-key", _env_file=None,  # type: ignore[call-arg]
    )  # fmt: skip
    services = Services.build(settings)
    try:
        deadlines = services.deadlines
        assert deadlines.workdays("complaint", "acceptance") == 5
        assert deadlines.workdays("complaint", "resolution") == 30
        assert deadlines.workdays("complaint", "mediation") == 45
        assert deadlines.workdays("suggestion", "answer") == 3
        assert deadlines.workdays("report", "decision") == 15
        assert services.engine.options.accept_workdays == 5
    finally:
        await services.close()
