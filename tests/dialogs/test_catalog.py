"""One catalog for the chat, the console and the merchant desk: every key in every
language with the same placeholders and the plural forms each language needs, every
key a template asks for, and a check that fails on a catalog that lacks any of it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bots.staff.deadlines import CLOCK_NAMES
from bots.web.routes.console_case import DONE
from dialogs import texts
from dialogs.catalog import LOCALE_DIR, categories, load, plural_category, problems
from storage.offers import KINDS

# "您的投诉 …" names the request type; English says "your request" for every type.
FEWER_PLACEHOLDERS = {"staff_notice.extended": "en"}
TEMPLATES = Path(__file__).parent.parent.parent / "bots" / "web" / "templates"


def test_the_whole_catalog_has_every_key_in_every_language_with_the_same_placeholders() -> None:
    assert problems(LOCALE_DIR, fewer_placeholders=FEWER_PLACEHOLDERS) == []
    keys = set(texts.catalog("en"))
    # Both sides are in it: the chat's texts and the console's, the desk's, the alerts'.
    assert {"status.accepted", "console.sign_in", "merchant_desk.sign_in", "alerts.spikes"} <= keys


# A small catalog in the same layout, broken one way per case.
GOOD = {
    "zh_CN.yaml": 'hello: "你好 {name}"\n',
    "en.yaml": 'hello: "Hello {name}"\n',
    "console.zh_CN.yaml": 'left: "剩 {n} 天"\n',
    "console.en.yaml": 'left:\n  one: "{n} day left"\n  other: "{n} days left"\n',
}
BROKEN = {
    "a key missing in English": ("en.yaml", 'other_key: "x"\n', "hello: missing in en"),
    "a key missing in Chinese": ("console.zh_CN.yaml", 'gone: "x"\n', "console.left: missing"),
    "a placeholder missing": ("en.yaml", 'hello: "Hello"\n', "hello (en, other): placeholders"),
    "a placeholder added": (
        "zh_CN.yaml", 'hello: "你好 {name} {when}"\n', "hello (en, other): placeholders",
    ),
    "a plural form missing": (
        "console.en.yaml", 'left:\n  other: "{n} days left"\n', "console.left: en has the plural",
    ),
    "a form Chinese does not use": (
        "console.zh_CN.yaml", 'left:\n  one: "剩 {n} 天"\n  other: "剩 {n} 天"\n',
        "console.left: zh-CN has the plural",
    ),
    "a placeholder missing in one form": (
        "console.en.yaml", 'left:\n  one: "a day left"\n  other: "{n} days left"\n',
        "console.left (en, one): placeholders",
    ),
}  # fmt: skip


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder


def test_the_check_passes_a_complete_catalog(tmp_path: Path) -> None:
    assert problems(_write(tmp_path / "good", GOOD)) == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_check_fails_on_a_broken_catalog(case: str, tmp_path: Path) -> None:
    name, body, expected = BROKEN[case]
    found = problems(_write(tmp_path / "broken", {**GOOD, name: body}))
    assert any(expected in line for line in found), found


def test_the_check_fails_when_the_real_catalog_loses_a_key(tmp_path: Path) -> None:
    copy = Path(shutil.copytree(LOCALE_DIR, tmp_path / "locales"))
    console = copy / "console.en.yaml"
    lines = console.read_text("utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("bulk:")]
    console.write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert problems(copy, fewer_placeholders=FEWER_PLACEHOLDERS) == ["console.bulk: missing in en"]


def test_a_key_defined_twice_is_refused(tmp_path: Path) -> None:
    folder = _write(tmp_path / "twice", {**GOOD, "hello.en.yaml": 'x: "y"\n',
                                         "en.yaml": 'hello:\n  x: "z"\n'})  # fmt: skip
    with pytest.raises(ValueError, match=r"hello\.x is defined twice"):
        load(folder, "en")


def test_plural_forms_follow_the_cldr_rules_of_each_language() -> None:
    assert categories("en") == {"one", "other"} and categories("zh-CN") == {"other"}
    assert [plural_category("en", n) for n in (0, 1, 2)] == ["other", "one", "other"]
    assert plural_category("en", "{n}") == "other"  # a template placeholder stays as is
    assert texts.t("en", "console.sent_to", n=1) == "Sent to 1 consumer"
    assert texts.t("en", "console.sent_to", n=3) == "Sent to 3 consumers"
    assert texts.t("zh-CN", "console.sent_to", n=1) == "已发送给 1 位消费者"
    assert texts.t("en", "console.workdays_left", n=1) == "1 working day left"
    assert texts.t("en", "console.unread_nav", n="{n}") == "{n} unread"


def _used(folder: str, function: str) -> set[str]:
    pattern = re.compile(rf"""(?<![\w.]){function}\(["']([a-z_0-9-]+)["']""")
    used: set[str] = set()
    for path in (TEMPLATES / folder).glob("*.html"):
        used |= set(pattern.findall(path.read_text("utf-8")))
    # Keys built from a prefix (``t("clock_" ~ k.clock)``) are checked value by value.
    return {key for key in used if not key.endswith("_")}


@pytest.mark.parametrize(
    ("folder", "function", "domain"),
    [("console", "t", "console"), ("console", "a", "alerts"), ("merchant", "t", "merchant_desk")],
)
def test_every_key_a_template_uses_exists(folder: str, function: str, domain: str) -> None:
    keys = {k.removeprefix(f"{domain}.") for k in texts.catalog("en") if k.startswith(domain + ".")}
    used = _used(folder, function)
    assert used and used <= keys, used - keys


def test_every_key_a_console_template_builds_exists() -> None:
    keys = set(texts.catalog("en"))
    built = [f"saved_{action}" for action in DONE]
    built += [f"clock_{name}" for name in CLOCK_NAMES] + [f"overdue_{n}" for n in CLOCK_NAMES]
    built += [f"from_{kind}" for kind in ("consumer", "staff", "merchant")]
    built += [f"via_{via}" for via in ("reply", "page", "message", "custom", "template")]
    built += [f"request_{s}" for s in ("open", "answered", "withdrawn")]
    built += [f"request_kind_{k}" for k in ("evidence", "rating")]
    missing = {key for key in built if f"console.{key}" not in keys}
    desk = [f"kind_{kind}" for kind in KINDS]
    desk += [f"offer_{s}" for s in ("pending", "accepted", "declined", "expired", "withdrawn")]
    missing |= {key for key in desk if f"merchant_desk.{key}" not in keys}
    assert missing == set()
