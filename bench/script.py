"""One complete intake conversation, menu to filed complaint, as a consumer types it."""

from __future__ import annotations

COMPLAINT_LINES: tuple[str, ...] = (
    "hi",
    "1",  # file a complaint
    "1",  # household appliances
    "1",  # large appliances
    "no",  # not accepted by a court or another agency
    "Suning Electronics",
    "skip",  # address
    "SN-0001",  # order number
    "2026-11-18",
    "3999元",
    "The fridge stopped cooling two days after delivery and the shop refuses to help.",
    "1 3",  # refund, exchange
    "done",  # no evidence
    "Li Lei",
    "13812345678",
    "yes",
    "1",  # submit
)
