"""``weiquan wechat menu`` installs the custom menu through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli.main import app
from tests.fakes.wechat_api import FakeWeChat


def test_menu_command_installs_the_three_buttons(
    fake: FakeWeChat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "WEIQUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
        "WEIQUAN_VAR_DIR": str(tmp_path / "var"),
        "WEIQUAN_WECHAT_TOKEN": "t",
        "WEIQUAN_WECHAT_APP_ID": fake.app_id,
        "WEIQUAN_WECHAT_APP_SECRET": fake.secret,
        "WEIQUAN_WECHAT_API_BASE_URL": fake.base_url,
    }
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    result = CliRunner().invoke(app, ["wechat", "menu", "--lang", "zh-CN"], env=env)
    assert result.exit_code == 0, result.output
    [call] = fake.calls_to("menu/create")
    assert call.body == {"button": [
        {"type": "click", "name": "我要投诉", "key": "complain"},
        {"type": "click", "name": "我的投诉", "key": "my_complaints"},
        {"type": "click", "name": "帮助", "key": "help"},
    ]}


def test_menu_command_needs_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("WEIQUAN_WECHAT_TOKEN", "WEIQUAN_WECHAT_APP_ID", "WEIQUAN_WECHAT_APP_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["wechat", "menu"])
    assert result.exit_code == 2
