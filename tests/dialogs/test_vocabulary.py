"""The vocabularies: one reader of language tags, and members that are their stored strings."""

from __future__ import annotations

import json

import pytest

from dialogs.vocabulary import (
    DEFAULT_LANGUAGE,
    ComplaintStatus,
    FetchStatus,
    Language,
    NoticeStatus,
    Platform,
    supported,
)

ZH, EN = Language.ZH_CN, Language.EN

TAGS = [
    ("zh", ZH),
    ("zh-CN", ZH),
    ("zh_CN", ZH),
    ("zh-Hans", ZH),
    ("zh-Hant", ZH),
    ("zh-TW", ZH),
    ("zh-Hant-TW", ZH),
    ("ZH-cn", ZH),
    (" zh-CN ", ZH),
    ("en", EN),
    ("en-US", EN),
    ("en_GB", EN),
    ("EN", EN),
    ("fr", None),
    ("fr-CA", None),
    ("ja", None),
    ("", None),
    (None, None),
    ("   ", None),
    ("english", None),
    ("zhx", None),
    ("en-", None),
    ("zh-CN,zh;q=0.9", None),
    ("<script>", None),
    ("\x00zh", None),
]


@pytest.mark.parametrize(("tag", "expected"), TAGS)
def test_supported_reads_every_tag_the_same_way(tag: str | None, expected: Language | None) -> None:
    assert supported(tag) is expected


@pytest.mark.parametrize(("tag", "expected"), TAGS)
@pytest.mark.parametrize("default", [ZH, EN])
def test_parse_falls_back_to_the_deployments_language(
    tag: str | None, expected: Language | None, default: Language
) -> None:
    assert Language.parse(tag, default) is (expected or default)


def test_the_languages_and_the_default() -> None:
    assert [m.value for m in Language] == ["zh-CN", "en"]
    assert DEFAULT_LANGUAGE is Language.ZH_CN


# The stored strings, written out: a renamed value would need a migration of every row.
STORED = {
    Platform: ["wechat", "telegram", "web", "console"],
    ComplaintStatus: [
        "submitted", "accepted", "rejected", "mediating", "transferred", "resolved", "failed",
        "closed", "withdrawn",
    ],
    NoticeStatus: ["pending", "sending", "sent", "retrying", "held", "dead", "undeliverable"],
    FetchStatus: ["pending", "stored", "failed", "expired", "refused"],
}  # fmt: skip


@pytest.mark.parametrize("vocabulary", list(STORED), ids=lambda v: v.__name__)
def test_members_are_the_stored_strings(vocabulary: type[Platform]) -> None:
    assert [m.value for m in vocabulary] == STORED[vocabulary]
    assert max(len(m.value) for m in vocabulary) <= 16  # the columns are VARCHAR(16)


def test_the_terminal_chat_is_stored_as_console() -> None:
    assert Platform.TERMINAL == "console"
    assert Platform("console") is Platform.TERMINAL


def test_a_member_renders_as_its_value() -> None:
    status = ComplaintStatus.ACCEPTED
    assert f"{status}" == str(status) == "accepted"
    written = json.dumps({"status": status, "lang": Language.EN})
    assert written == '{"status": "accepted", "lang": "en"}'
    assert status == "accepted" and hash(status) == hash("accepted")
    assert status in frozenset({"accepted"})


def test_the_dialog_events_still_name_the_platform() -> None:
    from dialogs.vocabulary import Platform as EventsPlatform

    assert EventsPlatform is Platform
