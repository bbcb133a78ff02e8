"""Prometheus metrics (served at ``GET /metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES = Counter(
    "weiquan_messages_total", "Inbound events by platform and outcome", ["platform", "outcome"]
)
MESSAGE_SECONDS = Histogram(
    "weiquan_message_seconds",
    "Time to apply one inbound event",
    ["platform"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
COMPLAINTS_FILED = Counter("weiquan_complaints_filed_total", "Complaints filed", ["type"])
NOTICES = Counter(
    "weiquan_notices_total", "Outbox deliveries by platform and outcome", ["platform", "outcome"]
)
OUTBOX_DUE = Gauge("weiquan_outbox_due", "Outbox rows due for delivery")
EVIDENCE_FETCHES = Counter(
    "weiquan_evidence_fetches_total", "Evidence downloads by outcome", ["platform", "outcome"]
)
