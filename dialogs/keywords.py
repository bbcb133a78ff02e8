"""Words that work in every state, in both languages, and small answer vocabularies.

Both languages are always understood: a consumer who switched to English may still
type 返回, and WeChat users often type English commands.
"""

from __future__ import annotations

import re

from dialogs.validators import normalize

GLOBAL_WORDS: dict[str, frozenset[str]] = {
    "help": frozenset({"help", "帮助", "?", "？", "/help", "求助"}),
    "back": frozenset({"back", "返回", "上一步", "/back"}),
    "cancel": frozenset({"cancel", "取消", "/cancel"}),
    "restart": frozenset({"restart", "重新开始", "重来", "/restart", "start over"}),
    "new": frozenset({"/new"}),
    "my_complaints": frozenset(
        {"my complaints", "我的投诉", "查询", "/status", "/my", "进度查询", "查询进度"}
    ),
    "language": frozenset({"language", "语言", "/lang", "/language", "切换语言"}),
    "lang_zh": frozenset({"中文", "chinese", "简体中文"}),
    "lang_en": frozenset({"english", "英文", "英语"}),
    "reply": frozenset({"reply", "回复", "/reply", "答复", "留言"}),
    "menu": frozenset({"menu", "菜单", "主菜单", "main menu", "/start", "/menu"}),
    # Data rights (dialogs/data_rights.py).
    "my_data": frozenset({"my data", "我的数据", "/mydata", "/my_data", "export my data",
                          "导出我的数据"}),
    "delete_my_data": frozenset({"delete my data", "删除我的数据", "/deletemydata",
                                 "/delete_my_data", "erase my data"}),
    "withdraw_consent": frozenset({"withdraw consent", "撤回同意", "/withdrawconsent",
                                   "/withdraw_consent"}),
    "dossier": frozenset({"dossier", "证据包", "/dossier", "evidence dossier", "下载证据包"}),
    "greeting": frozenset({"hi", "hello", "hey", "你好", "您好", "嗨", "哈喽", "在吗"}),
}

YES = frozenset({"yes", "y", "ok", "okay", "sure", "agree", "是", "是的", "好", "好的", "对",
                 "确认", "同意", "可以", "行"})
NO = frozenset({"no", "n", "nope", "disagree", "否", "不", "不是", "不要", "不同意", "不行",
                "不用"})
DONE = frozenset({"done", "finish", "finished", "that's all", "完成", "好了", "完毕", "结束",
                  "发完了"})
SKIP = frozenset({"skip", "none", "跳过", "无", "没有", "略过", "不知道"})

#: Short words for the menu items besides their ids, labels and numbers.
MENU_ALIASES: dict[str, str] = {
    "投诉": "complaint", "complain": "complaint", "举报": "report", "咨询": "consultation",
    "ask": "consultation", "question": "consultation", "建议": "suggestion",
    "suggest": "suggestion",
}


#: ``绑定`` / ``link`` alone asks for a code; followed by digits it enters one.
_LINK = re.compile(r"^(?:/?link|绑定)(?:\s*(?:code|码))?[\s:：]*([\d\s-]{0,20})$")


def link_request(text: str) -> str | None:
    """``""`` for "give me a code", the digits of a code entered, None for other text.

    Anything after the word that is not digits (``link mobile ltd``) is not a link
    request, so a merchant called "Link…" is still an answer.
    """
    match = _LINK.match(normalize(text))
    if match is None:
        return None
    return re.sub(r"[\s-]", "", match.group(1))


def global_word(text: str) -> str | None:
    """The global action a whole message names (``help``, ``back``…), if any."""
    value = normalize(text)
    if not value or len(value) > 30:
        return None
    for action, words in GLOBAL_WORDS.items():
        if value in words:
            return action
    return None


def is_yes(text: str) -> bool:
    """The message means yes."""
    return normalize(text) in YES


def is_no(text: str) -> bool:
    """The message means no."""
    return normalize(text) in NO


def is_done(text: str) -> bool:
    """The message means "I have sent everything"."""
    return normalize(text) in DONE


def is_skip(text: str) -> bool:
    """The message means "skip this question"."""
    return normalize(text) in SKIP


def is_command_word(text: str) -> bool:
    """The message is one of the dialog's own answer words or a bare option number.

    Names refuse these: a "done", "完成" or "1" sent for the previous question (the
    evidence step moves on by itself at its limit) is not the consumer's name.
    """
    value = normalize(text)
    return value in DONE | SKIP | YES | NO or (value.isascii() and value.isdigit())
