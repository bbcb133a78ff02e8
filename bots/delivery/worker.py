"""The delivery worker: outbox notices out to the platforms, evidence files in.

Runs inside ``weiquan serve`` by default and alone as ``weiquan worker`` (any number of
them). Rows are claimed in a short transaction under a lease and worked outside any
transaction, so a slow platform never holds a database lock; a worker that dies with
a lease loses nothing — the rows come back when it ends. A crash between sending and
recording may repeat one notice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bots.delivery.background import register, sleep_or_stop
from bots.ops.metrics import EVIDENCE_FETCHES, NOTICES, OUTBOX_DUE
from bots.ops.outage import Outage, backoff
from bots.services import Services
from dialogs.delivery import Delivered, DeliveryError, MediaExpired, RetryLater, Undeliverable
from dialogs.replies import Reply
from dialogs.texts import format_date, t
from dialogs.vocabulary import FetchStatus
from storage import evidence_fetch, outbox
from storage.blobs import BlobRefused
from storage.evidence_fetch import Download
from storage.models import Identity

log = logging.getLogger("weiquan.worker")

NOT_CONFIGURED = "channel not configured"
# The due-notices gauge costs a count query; once every few seconds is enough.
GAUGE_EVERY_SECONDS = 5.0
_gauge_at = 0.0


async def deliver_due(services: Services, *, now: datetime | None = None) -> int:
    """Claim and deliver the notices that are due; returns how many were tried."""
    settings = services.settings
    now = now or services.now()
    async with services.database.transaction() as session:
        await _update_gauge(session, now)
        claimed = await outbox.claim_due(
            session=session,
            now=now,
            lease=timedelta(seconds=settings.outbox_lease_seconds),
            limit=settings.outbox_batch_size,
        )
    await _all(_deliver(services, item) for item in claimed)
    return len(claimed)


async def _update_gauge(session: AsyncSession, now: datetime) -> None:
    global _gauge_at
    if time.monotonic() - _gauge_at >= GAUGE_EVERY_SECONDS:
        _gauge_at = time.monotonic()
        OUTBOX_DUE.set(await outbox.due_count(session=session, now=now))


async def _deliver(services: Services, item: outbox.Claimed) -> None:
    platform = item.recipient.platform
    sender = services.senders.get(platform)
    outcome: Delivered | DeliveryError
    if item.blocked:
        outcome = Undeliverable(f"consumer blocked: {item.blocked_reason or 'no reason given'}")
    elif sender is None:
        # Retried, and visible to staff: a misconfigured worker must not drop notices.
        outcome = RetryLater(NOT_CONFIGURED)
    else:
        try:
            outcome = await sender.send(item.recipient, item.replies, item.facts)
        except DeliveryError as error:
            outcome = error
        except Exception as exc:  # a bug or an unexpected library error: retry, visibly
            log.exception("sending a notice failed", extra={"notice": item.id})
            outcome = RetryLater(f"unexpected error: {type(exc).__name__}")
    async with services.database.transaction() as session:
        status = await outbox.record_outcome(
            session=session,
            claimed=item,
            outcome=outcome,
            now=services.now(),
            max_attempts=services.settings.outbox_max_attempts,
        )
    NOTICES.labels(platform, status).inc()
    if status in outbox.GAVE_UP:
        log.warning(
            "notice not delivered",
            extra={"notice": item.id, "status": status, "reason": getattr(outcome, "reason", "")},
        )


async def fetch_due(services: Services, *, now: datetime | None = None) -> int:
    """Claim and download pending evidence files; returns how many were tried."""
    settings = services.settings
    now = now or services.now()
    async with services.database.transaction() as session:
        claimed = await evidence_fetch.claim_downloads(
            session=session,
            now=now,
            lease=timedelta(seconds=settings.outbox_lease_seconds),
            limit=settings.evidence_batch_size,
        )
    await _all(_fetch(services, item, now) for item in claimed)
    return len(claimed)


async def _fetch(services: Services, item: Download, now: datetime) -> None:
    fetcher = services.fetchers.get(item.platform)
    if item.expired(now):
        await _give_up(services, item, FetchStatus.EXPIRED, "the platform no longer keeps the file")
        return
    if fetcher is None:
        await _retry(services, item, NOT_CONFIGURED, outbox.backoff(item.attempts))
        return
    try:
        blob = await services.blobs.put_stream(fetcher.fetch(item.platform_ref, item.kind))
    except MediaExpired as exc:
        await _give_up(services, item, FetchStatus.EXPIRED, exc.reason)
    except BlobRefused as exc:  # too large, or not a type we keep as evidence
        await _give_up(services, item, FetchStatus.REFUSED, str(exc), refusal=exc.reason)
    except Undeliverable as exc:
        await _give_up(services, item, FetchStatus.FAILED, exc.reason)
    except RetryLater as exc:
        delay = exc.retry_after if exc.retry_after is not None else outbox.backoff(item.attempts)
        await _retry(services, item, exc.reason, delay)
    except Exception as exc:
        log.exception("downloading evidence failed", extra={"evidence": item.id})
        await _retry(
            services, item, f"unexpected error: {type(exc).__name__}", outbox.backoff(item.attempts)
        )
    else:
        async with services.database.transaction() as session:
            await evidence_fetch.record_stored(session=session, download=item, blob=blob)
        EVIDENCE_FETCHES.labels(item.platform, FetchStatus.STORED).inc()


async def _retry(services: Services, item: Download, reason: str, delay: float) -> None:
    at = services.now() + timedelta(seconds=delay)
    async with services.database.transaction() as session:
        await evidence_fetch.record_retry(session=session, download=item, reason=reason, at=at)
    EVIDENCE_FETCHES.labels(item.platform, "retry").inc()


async def _give_up(
    services: Services, item: Download, status: FetchStatus, reason: str, refusal: str = ""
) -> None:
    """Mark the file as lost and ask the consumer, in their language, to send it again.

    ``reason`` is kept for staff; ``refusal`` is the store's catalog code (``too_large``,
    ``bad_type``) that explains a refusal to the consumer.
    """
    async with services.database.transaction() as session:
        row = await evidence_fetch.record_given_up(
            session=session, download=item, status=status, reason=reason
        )
        if row is None:  # the consumer cancelled the draft meanwhile: nobody to ask
            return
        identity = await session.get_one(Identity, item.identity_id)
        lang = identity.language
        when = format_date(lang, item.received_at)
        if status == FetchStatus.REFUSED:
            text = t(
                lang, "notice.evidence_refused", date=when, reason=t(lang, f"evidence.{refusal}")
            )
        else:  # the platform's own words stay in last_error for staff
            text = t(lang, f"notice.evidence_{status}", date=when)
        await outbox.enqueue(
            session=session,
            identity=identity,
            replies=[Reply(text)],
            now=services.now(),
            complaint_id=row.complaint_id,
            kind="evidence_resend",
        )
    EVIDENCE_FETCHES.labels(item.platform, status).inc()
    log.info("evidence not stored", extra={"evidence": item.id, "status": status})


async def _all(jobs: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Work a claimed batch concurrently (bounded by the batch size).

    One failure (say, a lost connection while recording) must not orphan the others;
    the failed row's lease brings it back.
    """
    for result in await asyncio.gather(*jobs, return_exceptions=True):
        if isinstance(result, Exception):
            log.error("recording a delivery failed", exc_info=result)


async def _loop(services: Services, stop: asyncio.Event, work: str) -> None:
    if work == "notices":
        # Two claimers overlap, so the next batch is claimed while one is still being
        # paced out: no gap in the platform's rate between batches. They report to one
        # outage: a database that is down is one line, not two.
        outage = Outage("delivering notices")
        await asyncio.gather(*(_steps(services, stop, deliver_due, outage) for _ in range(2)))
    else:
        await _steps(services, stop, fetch_due, Outage("downloading evidence"))


async def _steps(
    services: Services,
    stop: asyncio.Event,
    step: Callable[[Services], Awaitable[int]],
    outage: Outage,
) -> None:
    failures = 0
    while not stop.is_set():
        busy = 0
        try:
            busy = await step(services)
        except Exception as exc:  # the database may be restarting: back off, go on
            failures += 1
            outage.failed(exc)
        else:
            failures = 0
            outage.recovered()
        if busy and not failures:
            continue
        wait = backoff(services.settings.worker_poll_seconds, failures)
        if await sleep_or_stop(stop, wait):
            return


@register
async def deliver_notices(services: Services, stop: asyncio.Event) -> None:
    """Push outbox notices through the consumers' channels."""
    await _loop(services, stop, "notices")


@register
async def download_evidence(services: Services, stop: asyncio.Event) -> None:
    """Download evidence files the platforms hold for us."""
    await _loop(services, stop, "evidence")
