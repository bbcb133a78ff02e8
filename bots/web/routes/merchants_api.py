"""Merchants on the staff API: the registry, linking and forwarding complaints, alerts.

Registry and alerts are for supervisors; any staff member links, forwards and takes
cases back. A spike's complaints are forwarded, and its consumers told, in one step
(bots/staff/spikes.py; supervisors). Errors are JSON ``{"detail": …}`` as elsewhere
in the staff API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from adapters.fields import FreeText
from bots.merchants import forward as merchant_forward
from bots.merchants.schemas import Alerts, MerchantItem, SpikeAlert
from bots.merchants.views import case_summary, merchant_item, overdue_case
from bots.staff import guards
from bots.staff import spikes as spike_actions
from bots.staff.auth import StaffDep, SupervisorDep
from bots.staff.errors import ActionError
from bots.web.deps import ServicesDep
from bots.web.routes.staff_api import refused
from bots.web.schemas.errors import SIGNED_IN
from bots.web.schemas.merchants import (
    ComplaintMerchant,
    Forwarded,
    MerchantLinked,
    MerchantList,
    MerchantWithCases,
    SpikeForwarded,
    SpikeNotified,
    SpikeOutcome,
    TakenBack,
)
from storage import alerts, audit, casework, merchant_cases
from storage import merchants as merchant_store
from storage.merchants import MerchantError

router = APIRouter(prefix="/api/v1", tags=["merchants (staff)"], responses=SIGNED_IN)


class NewMerchant(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    credit_code: str | None = Field(default=None, max_length=40, description="统一社会信用代码")
    aliases: list[str] = Field(default_factory=list, max_length=20)
    address: str | None = Field(default=None, max_length=500)
    contact: str | None = Field(default=None, max_length=200)
    odr: bool = Field(default=False, description="takes part in online dispute resolution")


@router.get("/merchants", response_model=MerchantList)
async def list_merchants(staff: SupervisorDep, services: ServicesDep) -> MerchantList:
    """The merchant registry."""
    async with services.database.sessions() as session:
        found = await merchant_store.list_merchants(session=session)
    return MerchantList(items=[merchant_item(m) for m in found])


@router.post("/merchants", status_code=201, response_model=MerchantItem)
async def create_merchant(
    body: NewMerchant, staff: SupervisorDep, services: ServicesDep
) -> MerchantItem:
    """Register a merchant; an invalid credit code (GB 32100-2015 checksum) is a 422."""
    try:
        async with services.database.transaction() as session:
            made = await merchant_store.create_merchant(
                session=session, name=body.name, now=services.now(),
                credit_code=body.credit_code, aliases=body.aliases, address=body.address,
                contact=body.contact, odr=body.odr,
            )  # fmt: skip
            audit.record(session, staff=staff, action="merchant.create", target=str(made.id),
                         now=services.now(), detail={"name": made.name})  # fmt: skip
    except MerchantError as error:
        raise HTTPException(422, str(error)) from None
    return merchant_item(made)


@router.get("/merchants/{merchant_id}", response_model=MerchantWithCases)
async def merchant_detail(
    merchant_id: Annotated[int, Path(ge=1, le=2**31 - 1)], staff: SupervisorDep,
    services: ServicesDep,
) -> MerchantWithCases:  # fmt: skip
    """One merchant with the complaints forwarded to it."""
    today = guards.today(services)
    async with services.database.sessions() as session:
        merchant = await merchant_store.get(session=session, merchant_id=merchant_id)
        if merchant is None:
            raise HTTPException(404, f"no merchant {merchant_id}")
        cases = await merchant_cases.forwarded_to(session=session, merchant_id=merchant_id)
    return MerchantWithCases(
        **dict(merchant_item(merchant)), forwarded=[case_summary(c, m, today) for c, m in cases]
    )


class Link(BaseModel):
    merchant_id: int = Field(ge=1, le=2**31 - 1)


@router.get("/complaints/{number}/merchant", response_model=ComplaintMerchant)
async def complaint_merchant(
    number: str, staff: StaffDep, services: ServicesDep
) -> ComplaintMerchant:
    """The linked merchant, where the forward stands, and registry suggestions for the
    name the consumer typed."""
    today = guards.today(services)
    async with services.database.sessions() as session:
        complaint = await casework.by_number(session=session, number=number)
        if complaint is None:
            raise HTTPException(404, f"no complaint {number}")
        case = await merchant_cases.case_of(session=session, complaint_id=complaint.id)
        linked = (
            await merchant_store.get(session=session, merchant_id=case.merchant_id)
            if case else None
        )  # fmt: skip
        suggestions = await merchant_store.suggest(session=session, typed=complaint.merchant_name)
    return ComplaintMerchant(
        number=number,
        merchant_name=complaint.merchant_name,
        merchant=merchant_item(linked) if linked else None,
        case=case_summary(complaint, case, today) if case else None,
        suggestions=[merchant_item(m) for m in suggestions],
    )


@router.post("/complaints/{number}/merchant", response_model=MerchantLinked)
async def link_merchant(
    number: str, body: Link, staff: StaffDep, services: ServicesDep
) -> MerchantLinked | JSONResponse:
    """Link the complaint to a registered merchant."""
    try:
        merchant = await merchant_forward.link(services, staff, number, body.merchant_id)
    except ActionError as error:
        return refused(error)
    return MerchantLinked(number=number, merchant=merchant_item(merchant))


class Note(BaseModel):
    note: str | None = Field(default=None, max_length=2000, description="for the merchant")


@router.post("/complaints/{number}/forward", status_code=202, response_model=Forwarded)
async def forward(
    number: str, staff: StaffDep, services: ServicesDep, body: Note | None = None
) -> Forwarded | JSONResponse:
    """Send the complaint to its merchant; asks the consumer before sharing contact."""
    try:
        notice = await merchant_forward.forward(
            services, staff, number, body.note if body else None
        )
    except ActionError as error:
        return refused(error)
    return Forwarded(number=number, forwarded=True, consent_notice=notice)


@router.post("/complaints/{number}/take-back", response_model=TakenBack)
async def take_back(
    number: str, staff: StaffDep, services: ServicesDep, body: Note | None = None
) -> TakenBack | JSONResponse:
    """Take the case back from the merchant (it then takes no answers from it)."""
    try:
        await merchant_forward.take_back(services, staff, number, body.note if body else None)
    except ActionError as error:
        return refused(error)
    return TakenBack(number=number, taken_back=True)


@router.get("/alerts", response_model=Alerts)
async def alerts_list(staff: SupervisorDep, services: ServicesDep) -> Alerts:
    """Merchants with a spike of complaints, and merchants overdue with their answer."""
    today = guards.today(services)
    async with services.database.sessions() as session:
        found = await alerts.spikes(
            session=session, now=services.now(), minimum=services.settings.spike_min
        )
        overdue = await merchant_cases.overdue_cases(session=session, today=today)
    return Alerts(
        spikes=[
            SpikeAlert(
                merchant=merchant_item(s.merchant),
                last_7_days=s.last_week,
                weekly_average_before=s.weekly_average,
                complaints=s.numbers,
            )
            for s in found
        ],
        merchant_overdue=[overdue_case(c, case, m, today) for c, case, m in overdue],
    )


MerchantIdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/alerts/spikes/{merchant_id}/forward", response_model=SpikeForwarded)
async def forward_spike(
    merchant_id: MerchantIdPath, staff: SupervisorDep, services: ServicesDep,
    body: Note | None = None,
) -> SpikeForwarded | JSONResponse:  # fmt: skip
    """Link and forward every complaint of the spike that can go; says per complaint
    what happened (``forwarded``, or ``skipped`` with a ``reason``)."""
    try:
        outcomes = await spike_actions.forward_spike(
            services, staff, merchant_id, body.note if body else None
        )
    except ActionError as error:
        return refused(error)
    return SpikeForwarded(
        merchant_id=merchant_id,
        forwarded=sum(o.forwarded for o in outcomes),
        skipped=sum(not o.forwarded for o in outcomes),
        complaints=[SpikeOutcome.model_validate(o.as_dict()) for o in outcomes],
    )


class SpikeNotice(BaseModel):
    text: FreeText = Field(min_length=1, max_length=2000)
    text_en: FreeText | None = Field(default=None, max_length=2000)


@router.post("/alerts/spikes/{merchant_id}/notice", status_code=202, response_model=SpikeNotified)
async def notify_spike(
    merchant_id: MerchantIdPath, body: SpikeNotice, staff: SupervisorDep, services: ServicesDep
) -> SpikeNotified | JSONResponse:
    """One notice to each consumer with a complaint in the spike, never two."""
    try:
        count = await spike_actions.notify_spike(
            services, staff, merchant_id, body.text, body.text_en
        )
    except ActionError as error:
        return refused(error)
    return SpikeNotified(merchant_id=merchant_id, consumers=count)
