"""The merchant page's own words, in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("zh-CN", "en")

TEXTS: dict[str, dict[str, str]] = {
    "title": {"zh-CN": "维权 · 商家处理平台", "en": "Weiquan · Merchant desk"},
    "sign_in": {"zh-CN": "商家登录", "en": "Merchant sign-in"},
    "sign_out": {"zh-CN": "退出", "en": "Sign out"},
    "username": {"zh-CN": "用户名", "en": "Username"},
    "password": {"zh-CN": "密码", "en": "Password"},
    "bad_login": {"zh-CN": "用户名或密码错误", "en": "Incorrect username or password"},
    "forbidden": {"zh-CN": "表单已过期，请刷新页面", "en": "The form expired; reload the page"},
    "too_many": {
        "zh-CN": "登录失败次数过多，请 15 分钟后再试",
        "en": "Too many failed sign-ins; try again in 15 minutes",
    },
    "complaints": {"zh-CN": "转来的投诉", "en": "Complaints forwarded to you"},
    "number": {"zh-CN": "编号", "en": "Number"},
    "status": {"zh-CN": "状态", "en": "Status"},
    "forwarded": {"zh-CN": "转交时间", "en": "Forwarded"},
    "answer_due": {"zh-CN": "答复期限", "en": "Answer by"},
    "overdue": {"zh-CN": "已超期", "en": "overdue"},
    "nothing": {"zh-CN": "暂无", "en": "Nothing here"},
    "facts": {"zh-CN": "投诉内容", "en": "The complaint"},
    "description": {"zh-CN": "经过", "en": "What happened"},
    "demands": {"zh-CN": "诉求", "en": "Demands"},
    "order_number": {"zh-CN": "订单号", "en": "Order number"},
    "amount": {"zh-CN": "金额", "en": "Amount"},
    "incident_date": {"zh-CN": "日期", "en": "Date"},
    "contact": {"zh-CN": "消费者联系方式", "en": "Consumer's contact"},
    "no_contact": {
        "zh-CN": "消费者未同意向您提供联系方式",
        "en": "The consumer has not agreed to share contact details with you",
    },
    "note": {"zh-CN": "工作人员附言", "en": "Note from the desk"},
    "evidence": {"zh-CN": "证据", "en": "Evidence"},
    "timeline": {"zh-CN": "进展", "en": "Timeline"},
    "offers": {"zh-CN": "解决方案", "en": "Offers"},
    "settlement": {"zh-CN": "已达成的和解", "en": "Settlement agreed"},
    "reply": {"zh-CN": "回复消费者", "en": "Reply to the consumer"},
    "send": {"zh-CN": "发送", "en": "Send"},
    "make_offer": {"zh-CN": "提出解决方案", "en": "Make an offer"},
    "kind": {"zh-CN": "方式", "en": "Kind"},
    "text": {"zh-CN": "说明", "en": "Text"},
    "taken_back": {
        "zh-CN": "工作人员已收回本案，不再接受您的答复",
        "en": "The desk took this case back; it takes no answers from you now",
    },
    "kind_refund": {"zh-CN": "退款", "en": "Refund"},
    "kind_return": {"zh-CN": "退货", "en": "Return"},
    "kind_exchange": {"zh-CN": "换货", "en": "Exchange"},
    "kind_repair": {"zh-CN": "维修", "en": "Repair"},
    "kind_compensation": {"zh-CN": "赔偿", "en": "Compensation"},
    "kind_apology": {"zh-CN": "赔礼道歉", "en": "Apology"},
    "kind_other": {"zh-CN": "其他", "en": "Other"},
    "offer_pending": {"zh-CN": "待消费者答复", "en": "awaiting the consumer"},
    "offer_accepted": {"zh-CN": "已接受", "en": "accepted"},
    "offer_declined": {"zh-CN": "已拒绝", "en": "declined"},
    "offer_expired": {"zh-CN": "已过期", "en": "expired"},
    "offer_withdrawn": {"zh-CN": "已撤回", "en": "withdrawn"},
    "until": {"zh-CN": "有效期至", "en": "open until"},
    "by": {"zh-CN": "履行期限", "en": "to be carried out by"},
}


def make_t(language: str) -> Callable[..., str]:
    """A ``t(key, **values)`` for templates in ``language``."""

    def t(key: str, **values: object) -> str:
        text = TEXTS.get(key, {}).get(language) or TEXTS.get(key, {}).get("en") or key
        return text.format(**values) if values else text

    return t
