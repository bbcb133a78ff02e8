"""Prometheus metrics (served at ``GET /metrics``).

Under ``weiquan serve --workers N`` the processes share their counts through files
(``bots/ops/metrics_share.py``); ``exposition`` adds them up for one consistent answer.
"""

from __future__ import annotations

import os
from functools import cache

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import multiprocess as prometheus_multiprocess

from bots.ops.metrics_share import ENV as MULTIPROCESS_ENV

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
# Across processes, the newest count wins (each process counts the same table).
OUTBOX_DUE = Gauge(
    "weiquan_outbox_due", "Outbox rows due for delivery", multiprocess_mode="mostrecent"
)
EVIDENCE_FETCHES = Counter(
    "weiquan_evidence_fetches_total", "Evidence downloads by outcome", ["platform", "outcome"]
)


@cache
def _shared_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(registry)
    return registry


def registry() -> CollectorRegistry:
    """What ``/metrics`` reports: every process's samples when they share a directory."""
    return _shared_registry() if os.environ.get(MULTIPROCESS_ENV) else REGISTRY
