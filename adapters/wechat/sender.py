"""Staff notices to WeChat consumers: customer-service message, template, or hold.

WeChat allows customer-service messages (``message/custom/send``) for 48 hours after
the consumer's last message and, since 2023, at most 5 per consumer message; following
the account, a menu click or a QR scan opens only 1 minute and 3 messages. Outside
those, only a template message (``WEIQUAN_WECHAT_TEMPLATE_ID``) reaches them; without a
template the notice is held and goes out with the next passive reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from adapters.wechat.adapter import TOKEN_ERRORS, WeChatApi, errcode
from adapters.wechat.outbound import join
from adapters.wechat.template import TemplateField, template_data
from dialogs.delivery import (
    Delivered,
    DeliveryError,
    HoldForReply,
    NoticeFacts,
    Recipient,
    RetryLater,
    Undeliverable,
)
from dialogs.replies import Reply
from dialogs.vocabulary import Platform

log = logging.getLogger("weiquan.wechat")

WINDOW = timedelta(hours=48)
# last_inbound_at is written with up to a minute's slack (storage/conversation_rows.py)
# and clocks differ: stop using the window a little early.
WINDOW_MARGIN = timedelta(minutes=10)
PUSHES_PER_MESSAGE = 5
# Following, a menu click, a QR scan: a short window of its own.
INTERACTION_WINDOW = timedelta(minutes=1)
PUSHES_PER_INTERACTION = 3
# The short window is too short for a margin of minutes; a few seconds of clock slack.
INTERACTION_MARGIN = timedelta(seconds=5)
# 45015 response out of time limit (window closed), 45047 out of response count limit.
WINDOW_ERRORS = frozenset({45015, 45047})
# 43004 not subscribed, 43101 refused template messages, 40003 invalid OpenID.
GONE_ERRORS = frozenset({43004, 43101, 40003})
DAILY_QUOTA = 45009
# WeChat's daily quotas reset at midnight Beijing time.
BEIJING = ZoneInfo("Asia/Shanghai")
#: Builds the progress page link of (identity id, complaint number) for templates.
ProgressLink = Callable[[int, str], str]


def window_open(recipient: Recipient, now: datetime) -> bool:
    """Whether a customer-service message may go to ``recipient`` now.

    Either the 48 hours after a typed message (5 pushes) or the minute after a follow,
    menu click or QR scan (3 pushes) is open.
    """
    return _message_window(recipient, now) or _interaction_window(recipient, now)


def _message_window(recipient: Recipient, now: datetime) -> bool:
    if recipient.last_inbound_at is None:
        return False
    if recipient.pushes_since_inbound >= PUSHES_PER_MESSAGE:
        return False
    return now - recipient.last_inbound_at < WINDOW - WINDOW_MARGIN


def _interaction_window(recipient: Recipient, now: datetime) -> bool:
    if recipient.last_interaction_at is None:
        return False
    if recipient.pushes_since_interaction >= PUSHES_PER_INTERACTION:
        return False
    return now - recipient.last_interaction_at < INTERACTION_WINDOW - INTERACTION_MARGIN


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
        fields: the template's keyword fields (``WEIQUAN_WECHAT_TEMPLATE_FIELDS``);
            without them the template is not used.
        progress_link: the link a template opens (the complaint's progress page).
        zone: the local clock of dates in template fields.
    """

    platform = Platform.WECHAT

    def __init__(
        self, api: WeChatApi, template_id: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        fields: tuple[TemplateField, ...] = (),
        progress_link: ProgressLink | None = None,
        zone: ZoneInfo = BEIJING,
    ) -> None:
        self.api = api
        self.template_id = template_id
        self.clock = clock
        self.fields = fields
        self.progress_link = progress_link
        self.zone = zone

    async def send(
        self, recipient: Recipient, replies: list[Reply], facts: NoticeFacts | None = None
    ) -> Delivered:
        """Deliver ``replies`` as one message, or raise a DeliveryError.

        Inside a customer-service window the whole text goes; outside, the template
        shows ``facts`` in its keyword fields and links to the progress page.
        """
        text = join(replies)
        now = self.clock()
        if window_open(recipient, now):
            try:
                await self._call(lambda c: c.message.send_text(recipient.external_id, text))
                return Delivered(via="custom")
            except _WindowClosed:
                pass  # the consumer's window or quota ran out: try the template
        if self.template_id and self.fields:
            facts = facts or NoticeFacts(summary=text.partition("\n")[0], at=now)
            data = template_data(self.fields, facts, language=recipient.language, now=now,
                                 zone=self.zone)
            url = None
            if self.progress_link is not None and facts.number:
                url = self.progress_link(recipient.identity_id, facts.number)
            template_id = self.template_id
            try:
                await self._call(lambda c: c.message.send_template(
                    recipient.external_id, template_id, data, url=url
                ))
            except _WindowClosed as closed:
                raise HoldForReply(closed.reason) from closed
            return Delivered(via="template")
        raise HoldForReply("customer-service window closed and no template configured")

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
