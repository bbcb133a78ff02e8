"""What a merchant's login does on its forwarded complaints: reply, make an offer.

Each action is one transaction: the timeline entry, the consumer's notice (outbox,
tagged with the merchant's name) and the audit entry commit together. A merchant
reaches only complaints forwarded to it; any other number is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bots.services import Services
from bots.staff.errors import Conflict, Invalid, NotFound
from bots.staff.guards import checked_text, today
from dialogs import offers as offer_dialog
from dialogs.replies import Reply
from dialogs.texts import format_date, t
from dialogs.validators import clean_text
from storage import audit, casework, merchant_cases, offers, outbox
from storage.merchant_cases import CaseError
from storage.models import Complaint, Identity, Merchant, MerchantCase, MerchantOffer, Staff


@dataclass(frozen=True)
class MerchantLogin:
    """A signed-in merchant user and the merchant it acts for."""

    account: Staff
    merchant: Merchant

    @property
    def actor(self) -> str:
        return f"merchant:{self.account.username}"


def _audit(
    session: AsyncSession, login: MerchantLogin, action: str, number: str, services: Services,
    **detail: object,
) -> None:  # fmt: skip
    detail = {"merchant": login.merchant.id, **detail}
    entry = audit.record(session, staff=login.account, action=action, target=number,
                         now=services.now(), detail=detail)  # fmt: skip
    # The audit log names merchants as merchants, not as staff.
    entry.actor = login.actor


async def _open_case(
    session: AsyncSession, login: MerchantLogin, number: str
) -> tuple[Complaint, MerchantCase]:
    found = await merchant_cases.forwarded_case(
        session=session, merchant_id=login.merchant.id, number=number, lock=True
    )
    if found is None:
        raise NotFound("not_forwarded_to_you", number=number)
    complaint, case = found
    if case.taken_back_at is not None:
        raise Conflict("taken_back", number=number)
    return complaint, case


async def send_message(services: Services, login: MerchantLogin, number: str, text: str) -> int:
    """The merchant's reply, relayed to the consumer; returns the notice id."""
    # Control characters go (PostgreSQL refuses NUL; chat clients show nothing sane).
    text = checked_text(clean_text(text))
    async with services.database.transaction() as session:
        complaint, case = await _open_case(session, login, number)
        now = services.now()
        case.answered_at = case.answered_at or now
        casework.add_event(
            session, complaint, kind="merchant_message", actor=login.actor, note=text, now=now,
            public=True,
        )  # fmt: skip
        identity = await session.get_one(Identity, complaint.identity_id)
        line = t(identity.language, "merchant.message", merchant=login.merchant.name,
                 number=number, text=text)  # fmt: skip
        notice = await outbox.enqueue(
            session=session, identity=identity, replies=[Reply(line)], now=now,
            complaint_id=complaint.id, kind="merchant_message",
        )  # fmt: skip
        _audit(session, login, "merchant.message", number, services, notice=notice.id)
        return notice.id


def offer_text(language: str, merchant: str, number: str, offer: MerchantOffer) -> str:
    """The offer as the consumer reads it, in their language."""
    amount = t(language, "merchant.amount", amount=offer.amount) if offer.amount else ""
    return t(
        language, "merchant.offer", merchant=merchant, number=number,
        kind=t(language, f"merchant.kind.{offer.kind}"), amount=amount, text=offer.text,
        until=format_date(language, offer.expires_on),
    )  # fmt: skip


async def make_offer(
    services: Services,
    login: MerchantLogin,
    number: str,
    kind: str,
    amount: str | None,
    text: str,
) -> tuple[int, int]:
    """Record an offer and put it to the consumer; returns (offer id, notice id)."""
    text = checked_text(clean_text(text))
    try:
        value = offers.parse_amount(amount)
    except CaseError as error:
        raise Invalid(error.key, **error.params) from None
    async with services.database.transaction() as session:
        complaint, case = await _open_case(session, login, number)
        now = services.now()
        expires_on = services.deadlines.calendar.add_workdays(
            today(services), services.settings.offer_workdays
        )
        try:
            offer = await offers.make_offer(
                session=session, complaint=complaint, merchant=login.merchant, kind=kind,
                amount=value, text=text, actor=login.actor, now=now, expires_on=expires_on,
            )  # fmt: skip
        except CaseError as error:
            refusal = Invalid if error.status == 422 else Conflict
            raise refusal(error.key, **error.params) from None
        case.answered_at = case.answered_at or now
        identity = await session.get_one(Identity, complaint.identity_id)
        shown = offer_text(identity.language, login.merchant.name, number, offer)
        offer_id = offer.id
        replies = await services.engine.apply(
            session,
            identity,
            lambda conv: offer_dialog.enter_offer(
                conv, offer_id=offer_id, number=number, text=shown, now=now,
                options=services.engine.options,
            ),
        )  # fmt: skip
        notice = await outbox.enqueue(
            session=session, identity=identity, replies=replies, now=now,
            complaint_id=complaint.id, kind="offer",
        )  # fmt: skip
        _audit(session, login, "merchant.offer", number, services, offer=offer.id,
               notice=notice.id)  # fmt: skip
        return offer.id, notice.id
