"""The staff console's own words, in Chinese and English (consumer texts live in dialogs)."""

from __future__ import annotations

LANGUAGES = ("zh-CN", "en")

TEXTS: dict[str, dict[str, str]] = {
    "title": {"zh-CN": "维权 · 工作台", "en": "Weiquan · Console"},
    "sign_in": {"zh-CN": "登录", "en": "Sign in"},
    "sign_out": {"zh-CN": "退出", "en": "Sign out"},
    "username": {"zh-CN": "用户名", "en": "Username"},
    "password": {"zh-CN": "密码", "en": "Password"},
    "bad_login": {"zh-CN": "用户名或密码错误", "en": "Incorrect username or password"},
    "too_many": {
        "zh-CN": "登录失败次数过多，请 15 分钟后再试",
        "en": "Too many failed sign-ins; try again in 15 minutes",
    },
    "complaints": {"zh-CN": "投诉列表", "en": "Complaints"},
    "overview": {"zh-CN": "临期/超期", "en": "Deadlines"},
    "bulk": {"zh-CN": "群发通知", "en": "Bulk notice"},
    "dead": {"zh-CN": "发送失败", "en": "Dead letters"},
    "statistics": {"zh-CN": "统计", "en": "Statistics"},
    "export": {"zh-CN": "导出 CSV", "en": "Export CSV"},
    "filter": {"zh-CN": "筛选", "en": "Filter"},
    "any": {"zh-CN": "全部", "en": "Any"},
    "status": {"zh-CN": "状态", "en": "Status"},
    "type": {"zh-CN": "类型", "en": "Type"},
    "category": {"zh-CN": "类别", "en": "Category"},
    "platform": {"zh-CN": "渠道", "en": "Channel"},
    "assignee": {"zh-CN": "处理人", "en": "Assignee"},
    "overdue": {"zh-CN": "超期", "en": "Overdue"},
    "overdue_acceptance": {"zh-CN": "受理超期", "en": "Acceptance overdue"},
    "overdue_resolution": {"zh-CN": "办结超期", "en": "Resolution overdue"},
    "overdue_any": {"zh-CN": "任一超期", "en": "Either overdue"},
    "near": {"zh-CN": "临期", "en": "Due soon"},
    "search": {"zh-CN": "搜索（编号/商家/描述）", "en": "Search (number, merchant, description)"},
    "from": {"zh-CN": "起始日期", "en": "Filed from"},
    "to": {"zh-CN": "截止日期", "en": "Filed to"},
    "sort": {"zh-CN": "排序", "en": "Sort"},
    "number": {"zh-CN": "编号", "en": "Number"},
    "merchant": {"zh-CN": "商家", "en": "Merchant"},
    "filed": {"zh-CN": "提交时间", "en": "Filed"},
    "accept_due": {"zh-CN": "受理期限", "en": "Accept by"},
    "resolve_due": {"zh-CN": "办结期限", "en": "Resolve by"},
    "contact": {"zh-CN": "联系人", "en": "Contact"},
    "show_contact": {"zh-CN": "查看完整联系方式", "en": "Show full contact"},
    "total": {"zh-CN": "共 {n} 条", "en": "{n} in total"},
    "previous": {"zh-CN": "上一页", "en": "Previous"},
    "next": {"zh-CN": "下一页", "en": "Next"},
    "description": {"zh-CN": "描述", "en": "Description"},
    "demands": {"zh-CN": "诉求", "en": "Demands"},
    "amount": {"zh-CN": "金额", "en": "Amount"},
    "order_number": {"zh-CN": "订单号", "en": "Order number"},
    "timeline": {"zh-CN": "处理记录", "en": "Timeline"},
    "evidence": {"zh-CN": "证据", "en": "Evidence"},
    "download": {"zh-CN": "下载", "en": "Download"},
    "not_stored": {"zh-CN": "尚未保存", "en": "Not stored yet"},
    "change_status": {"zh-CN": "变更状态", "en": "Change status"},
    "rejection_reason": {
        "zh-CN": "不予受理原因（选择“不予受理”时必填）",
        "en": "Reason for not accepting (required when not accepting)",
    },
    "note_for_consumer": {"zh-CN": "说明（发送给消费者）", "en": "Note (sent to the consumer)"},
    "notify": {"zh-CN": "通知消费者", "en": "Notify the consumer"},
    "save": {"zh-CN": "提交", "en": "Submit"},
    "internal_note": {"zh-CN": "内部备注", "en": "Internal note"},
    "message": {"zh-CN": "发消息给消费者", "en": "Message the consumer"},
    "assign": {"zh-CN": "分派", "en": "Assign"},
    "request_evidence": {"zh-CN": "要求补充证据", "en": "Request more evidence"},
    "rating": {"zh-CN": "评价", "en": "Rating"},
    "notice": {"zh-CN": "通知", "en": "Notice"},
    "internal": {"zh-CN": "内部", "en": "internal"},
    "text": {"zh-CN": "内容", "en": "Text"},
    "text_en": {"zh-CN": "英文内容（可选）", "en": "English text (optional)"},
    "sent_to": {"zh-CN": "已发送给 {n} 位消费者", "en": "Sent to {n} consumers"},
    "reason": {"zh-CN": "原因", "en": "Reason"},
    "retry": {"zh-CN": "重新发送", "en": "Retry"},
    "nothing": {"zh-CN": "暂无", "en": "Nothing here"},
    "done": {"zh-CN": "已完成", "en": "Done"},
    "on_time_acceptance": {"zh-CN": "按期受理率", "en": "Accepted on time"},
    "on_time_resolution": {"zh-CN": "按期办结率", "en": "Resolved on time"},
    "median_acceptance": {"zh-CN": "受理时长中位数（小时）", "en": "Median hours to acceptance"},
    "by_status": {"zh-CN": "按状态", "en": "By status"},
    "by_category": {"zh-CN": "按类别", "en": "By category"},
    "by_platform": {"zh-CN": "按渠道", "en": "By channel"},
    "by_day": {"zh-CN": "按日期", "en": "By day"},
    "ratings": {"zh-CN": "评价分布", "en": "Ratings"},
    "forbidden": {"zh-CN": "您的角色无权执行此操作", "en": "Your role does not allow this"},
}


def make_t(language: str):  # type: ignore[no-untyped-def]
    """A ``t(key, **values)`` for templates in ``language``."""

    def t(key: str, **values: object) -> str:
        text = TEXTS.get(key, {}).get(language) or TEXTS.get(key, {}).get("en") or key
        return text.format(**values) if values else text

    return t
