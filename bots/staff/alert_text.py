"""The words of the console's alerts page, in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable

TEXTS: dict[str, dict[str, str]] = {
    "spikes": {"zh-CN": "投诉激增的商家", "en": "Merchants with a spike of complaints"},
    "spike_counts": {
        "zh-CN": "近 7 天 {n} 件；此前 4 周平均每周 {avg} 件",
        "en": "{n} in the last 7 days; {avg} a week on average in the 4 weeks before",
    },
    "no_spikes": {"zh-CN": "目前没有投诉激增的商家", "en": "No merchant has a spike now"},
    "with_merchant": {"zh-CN": "商家处理", "en": "With the merchant"},
    "will_forward": {"zh-CN": "将转交", "en": "will be forwarded"},
    "forwarded_on": {"zh-CN": "已于 {day} 转交", "en": "forwarded on {day}"},
    "answer_due": {"zh-CN": "答复期限 {day}", "en": "answer due {day}"},
    "answered": {"zh-CN": "商家已答复", "en": "merchant answered"},
    "reason_already_forwarded": {"zh-CN": "已转交", "en": "already forwarded"},
    "reason_taken_back": {"zh-CN": "已收回，不再转交", "en": "taken back; not sent again"},
    "reason_not_accepted": {"zh-CN": "尚未受理或已结束", "en": "not accepted, or closed"},
    "reason_other_merchant": {"zh-CN": "已关联其他商家", "en": "linked to another merchant"},
    "reason_refused": {"zh-CN": "转交被拒绝", "en": "forward refused"},
    "forward_all": {"zh-CN": "一次转交商家", "en": "Forward them to the merchant"},
    "forward_note": {"zh-CN": "给商家的附言", "en": "Note for the merchant"},
    "notice_all": {"zh-CN": "通知相关消费者（每人一条）", "en": "Notify the consumers (one each)"},
    "forward_done": {
        "zh-CN": "已转交 {forwarded} 件，跳过 {skipped} 件",
        "en": "{forwarded} forwarded, {skipped} skipped",
    },
    "merchant_overdue": {
        "zh-CN": "逾期未答复的商家",
        "en": "Merchants overdue with their answer",
    },
    "overdue_list": {
        "zh-CN": "在投诉列表中查看",
        "en": "See them in the complaint list",
    },
    "forwarded": {"zh-CN": "转交时间", "en": "Forwarded"},
    "due": {"zh-CN": "答复期限", "en": "Answer due"},
}


def make_t(language: str) -> Callable[..., str]:
    """A ``t(key, **values)`` for the alerts page in ``language``."""

    def t(key: str, **values: object) -> str:
        text = TEXTS.get(key, {}).get(language) or TEXTS.get(key, {}).get("en") or key
        return text.format(**values) if values else text

    return t
