"""Staff notices to WeChat consumers: customer-service message, template, or hold.

WeChat allows customer-service messages (``message/custom/send``) for 48 hours after
the consumer's last message and, since 2023, at most 5 per consumer message. Outside
that, only a template message (``WEIQUAN_WECHAT_TEMPLATE_ID``) reaches them; without a
template the notice is held and goes out with the next passive reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from adapters.base import (
    Delivered,
    DeliveryError,
    HoldForReply,
    Recipient,
    RetryLater,
    Undeliverable,
)
from adapters.wechat.adapter import TOKEN_ERRORS, WeChatApi, errcode
from adapters.wechat.outbound import join
from dialogs.events import Reply

log = logging.getLogger("weiquan.wechat")

WINDOW = timedelta(hours=48)
# last_inbound_at is written with up to a minute's slack (storage/conversations.py)
# and clocks differ: stop using the window a little early.
WINDOW_MARGIN = timedelta(minutes=10)
PUSHES_PER_MESSAGE = 5
# 45015 response out of time limit (window closed), 45047 out of response count limit.
WINDOW_ERRORS = frozenset({45015, 45047})
# 43004 not subscribed, 43101 refused template messages, 40003 invalid OpenID.
GONE_ERRORS = frozenset({43004, 43101, 40003})
DAILY_QUOTA = 45009
# WeChat's daily quotas reset at midnight Beijing time.
BEIJING = ZoneInfo("Asia/Shanghai")
TEMPLATE_TEXT_CHARS = 200


def window_open(recipient: Recipient, now: datetime) -> bool:
    """Whether a customer-service message may go to ``recipient`` now."""
    if recipient.last_inbound_at is None:
        return False
    if recipient.pushes_since_inbound >= PUSHES_PER_MESSAGE:
        return False
    return now - recipient.last_inbound_at < WINDOW - WINDOW_MARGIN


def seconds_to_quota_reset(now: datetime) -> float:
    """Seconds until the next midnight in Beijing, plus a minute."""
    local = now.astimezone(BEIJING)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - local).total_seconds() + 60


class WeChatSender:
    """The outbox worker's route to WeChat consumers.

    Args:
        api: the account's API access.
        template_id: ``WEIQUAN_WECHAT_TEMPLATE_ID``; None means hold outside the window.
        clock: the current time (tests pass their own).
    """

    platform = "wechat"

    def __init__(
        self, api: WeChatApi, template_id: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.api = api
        self.template_id = template_id
        self.clock = clock

    async def send(self, recipient: Recipient, replies: list[Reply]) -> Delivered:
        """Deliver ``replies`` as one message, or raise a DeliveryError."""
        text = join(replies)
        now = self.clock()
        if window_open(recipient, now):
            try:
                await self._call(lambda c: c.message.send_text(recipient.external_id, text))
                return Delivered(via="custom")
            except _WindowClosed:
                pass  # the consumer's window or quota ran out: try the template
        if self.template_id:
            try:
                await self._call(lambda c: c.message.send_template(
                    recipient.external_id, self.template_id, template_data(replies)
                ))
            except _WindowClosed as closed:
                raise HoldForReply(closed.reason) from closed
            return Delivered(via="template")
        raise HoldForReply("48-hour window closed and no template configured")

    async def _call(self, op: Callable[[WeChatClient], object]) -> None:
        try:
            await self.api.call(op)
        except WeChatClientException as exc:
            raise self._error(exc) from exc
        except requests.RequestException as exc:
            raise RetryLater(f"WeChat unreachable: {type(exc).__name__}") from exc

    def _error(self, exc: WeChatClientException) -> DeliveryError | _WindowClosed:
        code = errcode(exc)
        message = f"WeChat error {code}: {exc.errmsg}"
        if code in WINDOW_ERRORS:
            return _WindowClosed(message)
        if code in GONE_ERRORS:
            # 43004: the consumer unfollowed; pushing again is pointless until they return.
            return Undeliverable(message, block_identity=code == 43004)
        if code == DAILY_QUOTA:
            log.error("operator alert: WeChat daily send quota reached", extra={"errcode": code})
            return RetryLater(message, seconds_to_quota_reset(self.clock()))
        if code in TOKEN_ERRORS:
            return RetryLater(f"{message} (after one token refresh)")
        if code is None:  # HTTP 5xx or a body that is not JSON
            return RetryLater("WeChat answered an HTTP error")
        # -1 "system busy" and anything unknown: a later attempt may succeed; the
        # worker dead-letters after its attempt limit with this reason visible to staff.
        return RetryLater(message)


class _WindowClosed(DeliveryError):
    """45015/45047: the customer-service route is closed; fall back to the template."""


def template_data(replies: Sequence[Reply]) -> dict[str, dict[str, str]]:
    """The template's fields: ``first`` (the first line) and ``content`` (the rest).

    The template configured in the MP console must show ``{{first.DATA}}`` and
    ``{{content.DATA}}`` (see the README); template fields are short, so the text is cut.
    """
    text = join(replies)
    first, _, rest = text.partition("\n")
    content = rest.strip() or first
    if len(content) > TEMPLATE_TEXT_CHARS:
        content = content[: TEMPLATE_TEXT_CHARS - 1] + "…"
    return {"first": {"value": first[:TEMPLATE_TEXT_CHARS]}, "content": {"value": content}}
