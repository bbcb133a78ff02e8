"""The merchant registry: credit codes, names, the API and the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bots.services import Services
from storage.credit_code import BadCreditCode, validated
from storage.merchant_names import name_key
from tests.merchants.helpers import OTHER_CODE, VALID_CODE
from tests.staff.helpers import sign_in


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("91330100716105852F", "91330100716105852F"),
        ("９１３３０１００７１６１０５８５２ｆ", "91330100716105852F"),  # full width, lower case
        (" 9144 0300 1922 0382 16 ", "914403001922038216"),
    ],
)
def test_valid_credit_codes_are_read_in_any_width(typed: str, canonical: str) -> None:
    assert validated(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("91330100716105852E", "check character"),  # one wrong check character
        ("9133010071610585", "18 characters"),
        ("91330100716105852FF", "18 characters"),
        ("9133010071610585IO", "not used"),  # I and O are not in the alphabet
    ],
)
def test_invalid_credit_codes_are_refused_with_the_reason(typed: str, why: str) -> None:
    with pytest.raises(BadCreditCode, match=why):
        validated(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "苏宁易购",
        "苏宁易购 旗舰店",
        "苏宁易购集团股份有限公司",
        "苏宁易购有限公司",
        " 苏宁 易购 店 ",
    ],
)
def test_typed_names_reduce_to_the_registered_key(typed: str) -> None:
    assert name_key(typed) == "苏宁易购"


def test_full_width_latin_names_match_half_width() -> None:
    assert name_key("ＡＣＭＥ Co., Ltd.") == name_key("acme") == "acme"


async def test_the_api_registers_merchants_and_refuses_bad_codes(
    client: httpx.AsyncClient, services: Services
) -> None:
    boss = await sign_in(client, services, "supervisor")
    agent = await sign_in(client, services, "agent")
    bad = await client.post("/api/v1/merchants", headers=boss,
                            json={"name": "X", "credit_code": "91330100716105852E"})  # fmt: skip
    assert bad.status_code == 422 and "check character" in bad.json()["detail"]
    made = await client.post(
        "/api/v1/merchants", headers=boss,
        json={"name": "阿里巴巴", "credit_code": VALID_CODE, "aliases": ["Alibaba"],
              "address": "杭州", "contact": "0571-0000", "odr": True},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["credit_code"] == VALID_CODE and made.json()["odr"] is True
    again = await client.post("/api/v1/merchants", headers=boss,
                              json={"name": "Copy", "credit_code": VALID_CODE})  # fmt: skip
    assert again.status_code == 422 and "already registered" in again.json()["detail"]
    assert (await client.get("/api/v1/merchants", headers=agent)).status_code == 403
    listed = (await client.get("/api/v1/merchants", headers=boss)).json()["items"]
    assert [m["name"] for m in listed] == ["阿里巴巴"]
    one = await client.get(f"/api/v1/merchants/{listed[0]['id']}", headers=boss)
    assert one.json()["forwarded"] == []
    assert (await client.get("/api/v1/merchants/999", headers=boss)).status_code == 404


def _cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WEIQUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "WEIQUAN_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-m", "bots.cli", *args], env=env, input=stdin, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_command_line_creates_a_merchant_and_its_login(tmp_path: Path) -> None:
    made = _cli(tmp_path, "merchant", "create", "华为", "--credit-code", OTHER_CODE, "--odr")
    assert made.returncode == 0, made.stderr
    merchant_id = made.stdout.strip()
    assert merchant_id.isdigit()
    bad = _cli(tmp_path, "merchant", "create", "X", "--credit-code", "914403001922038217")
    assert bad.returncode == 2 and "check character" in bad.stderr
    user = _cli(tmp_path, "merchant", "user", "huawei-desk", "--merchant", merchant_id,
                stdin="a long enough password\n")  # fmt: skip
    assert user.returncode == 0, user.stderr
    missing = _cli(tmp_path, "merchant", "user", "nobody", "--merchant", "999",
                   stdin="a long enough password\n")  # fmt: skip
    assert missing.returncode == 2 and "no merchant 999" in missing.stderr
