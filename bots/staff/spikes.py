"""Mass complaints handled together: a merchant's spike forwarded in one go, and one
notice to the consumers concerned.

A spike (storage/alerts.py) lists the complaints of the last 7 days against one
merchant. One forward sends each of them through the single forward — its own
transaction and row lock, the link when there is none yet, the consumer's consent
question, the audit entry — so one case that cannot go never holds the others back;
the answer says per complaint what happened. One notice reaches each consumer once,
however many of the complaints are theirs (the bulk notice, filtered to the numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bots.merchants.forward import forward_audited, link_in
from bots.services import Services
from bots.staff import reach as staff_reach
from bots.staff.errors import ActionError, NotFound
from bots.staff.guards import locked_complaint, require
from dialogs.validators import clean_text
from storage import alerts, audit, casework, merchant_cases
from storage.alerts import Spike
from storage.models import Complaint, Merchant, MerchantCase, Staff

#: Why a complaint of a spike was not forwarded (labels under alerts. in dialogs/locales/).
SkipReason = Literal[
    "already_forwarded", "taken_back", "not_accepted", "other_merchant", "refused"
]


@dataclass(frozen=True)
class Outcome:
    """What the spike forward did with one complaint."""

    number: str
    status: str
    forwarded: bool
    reason: SkipReason | None = None
    consent_notice: int | None = None
    message: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "result": "forwarded" if self.forwarded else "skipped",
            "reason": self.reason,
            "status": self.status,
            "consent_notice": self.consent_notice,
            "message": self.message,
        }


def skip_reason(
    complaint: Complaint, case: MerchantCase | None, merchant_id: int
) -> SkipReason | None:
    """Why this complaint does not go to the merchant with the spike (None: it goes).

    A case staff took back stays with the desk: a bulk step never undoes that decision
    (the complaint's own page can still forward it again).
    """
    if case is not None and case.merchant_id != merchant_id:
        return "other_merchant"
    if case is not None and case.forwarded_at is not None:
        return "taken_back" if case.taken_back_at is not None else "already_forwarded"
    if not merchant_cases.forwardable(complaint):
        return "not_accepted"
    return None


async def current_spike(services: Services, merchant_id: int) -> Spike:
    """The merchant's spike as it stands now; NotFound when it has none."""
    async with services.database.sessions() as session:
        found = await alerts.spikes(
            session=session, now=services.now(), minimum=services.settings.spike_min
        )
    for spike in found:
        if spike.merchant.id == merchant_id:
            return spike
    raise NotFound("no_spike", merchant=merchant_id)


async def forward_spike(
    services: Services, staff: Staff, merchant_id: int, note: str | None
) -> list[Outcome]:
    """Link (where needed) and forward every complaint of the spike that can go."""
    require(staff, "supervisor")
    note = clean_text(note or "") or None
    spike = await current_spike(services, merchant_id)
    outcomes = [await _forward_one(services, staff, spike.merchant, n, note) for n in spike.numbers]
    async with services.database.transaction() as session:
        audit.record(
            session, staff=staff, action="alert.spike_forward", target=str(merchant_id),
            now=services.now(),
            detail={
                "note": note,
                "forwarded": [o.number for o in outcomes if o.forwarded],
                "skipped": {o.number: o.reason for o in outcomes if not o.forwarded},
            },
        )  # fmt: skip
    return outcomes


async def _forward_one(
    services: Services, staff: Staff, merchant: Merchant, number: str, note: str | None
) -> Outcome:
    status = ""
    try:
        async with services.database.transaction() as session:
            complaint = await locked_complaint(session, number)
            status = complaint.status
            case = await merchant_cases.case_of(
                session=session, complaint_id=complaint.id, lock=True
            )
            reason = skip_reason(complaint, case, merchant.id)
            if reason is not None:
                return Outcome(number, status, False, reason)
            if case is None:
                await link_in(session, complaint, merchant, staff, services.now())
            notice = await forward_audited(services, session, complaint, staff, note)
    except ActionError as error:
        # Refused inside the single forward: its transaction rolled back, nothing changed.
        return Outcome(number, status, False, "refused", message=error.message)
    return Outcome(number, status, True, consent_notice=notice)


async def notify_spike(
    services: Services, staff: Staff, merchant_id: int, text: str, text_en: str | None
) -> int:
    """One notice to each consumer with a complaint in the spike; returns the count."""
    require(staff, "supervisor")
    spike = await current_spike(services, merchant_id)
    return await staff_reach.bulk_notice(
        services, staff, casework.Filters(numbers=tuple(spike.numbers)), text, text_en,
        action="alert.spike_notice", about={"merchant": merchant_id},
    )  # fmt: skip
