"""The merchant API (``/api/v1/merchant``): a merchant's own forwarded complaints.

A merchant login sees only complaints forwarded to its merchant: any other number is
a 404 that does not say whether it exists. Staff tokens get 403 here, and merchant
tokens get 403 on the staff API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from bots.dossier import build as dossiers
from bots.merchants import work as merchant_work
from bots.merchants.auth import MerchantDep, MerchantLogin
from bots.merchants.schemas import MerchantCaseDetail, MerchantRef
from bots.merchants.views import case_detail, case_summary
from bots.staff import guards
from bots.staff.errors import ActionError
from bots.web.deps import ServicesDep
from bots.web.routes.dossier import pdf_response
from bots.web.routes.staff_api import evidence_file, refused
from bots.web.schemas.errors import SIGNED_IN
from bots.web.schemas.files import FILE_RESPONSE, PDF_RESPONSE
from bots.web.schemas.merchants import MerchantMessageSent, MyComplaints, OfferMade
from storage import audit, dossier, merchant_cases

router = APIRouter(prefix="/api/v1/merchant", tags=["merchant API"], responses=SIGNED_IN)


@router.get("/complaints", response_model=MyComplaints)
async def my_complaints(login: MerchantDep, services: ServicesDep) -> MyComplaints:
    """The complaints forwarded to your merchant, newest first."""
    today = guards.today(services)
    async with services.database.sessions() as session:
        cases = await merchant_cases.forwarded_to(session=session, merchant_id=login.merchant.id)
    return MyComplaints(
        merchant=MerchantRef(id=login.merchant.id, name=login.merchant.name),
        items=[case_summary(c, m, today) for c, m in cases],
    )


async def _audited_view(
    services: ServicesDep, login: MerchantLogin, number: str, *, action: str
) -> merchant_cases.MerchantView:
    """What the merchant may read of ``number`` (404 unless forwarded to it), audited."""
    async with services.database.transaction() as session:
        found = await merchant_cases.forwarded_case(
            session=session, merchant_id=login.merchant.id, number=number
        )
        if found is None:
            raise HTTPException(404, f"no complaint {number} forwarded to you")
        view = await merchant_cases.merchant_view(
            session=session, complaint=found[0], case=found[1]
        )
        entry = audit.record(session, staff=login.account, action=action,
                             target=number, now=services.now())  # fmt: skip
        entry.actor = login.actor
    return view


@router.get("/complaints/{number}", response_model=MerchantCaseDetail)
async def my_complaint(
    number: str, login: MerchantDep, services: ServicesDep
) -> MerchantCaseDetail:
    """Facts, demands, evidence, your timeline entries; contact only with consent."""
    view = await _audited_view(services, login, number, action="merchant.view")
    return case_detail(view, cipher=services.cipher, today=guards.today(services))


@router.get(
    "/complaints/{number}/evidence/{evidence_id}",
    response_class=FileResponse,
    responses=FILE_RESPONSE,
)
async def my_evidence(
    number: str, evidence_id: Annotated[int, Path(ge=1, le=2**31 - 1)], login: MerchantDep,
    services: ServicesDep,
) -> Response:  # fmt: skip
    """One evidence file of a complaint forwarded to you."""
    async with services.database.sessions() as session:
        found = await merchant_cases.forwarded_case(
            session=session, merchant_id=login.merchant.id, number=number
        )
    if found is None:
        raise HTTPException(404, f"no complaint {number} forwarded to you")
    return await evidence_file(services, login.account, number, evidence_id)


@router.get("/complaints/{number}/dossier.pdf", response_class=Response, responses=PDF_RESPONSE)
async def my_dossier(
    number: Annotated[str, Path(max_length=32)], login: MerchantDep, services: ServicesDep
) -> Response:
    """The evidence dossier of a complaint forwarded to you: your timeline entries and the
    public status moves, contact details only with the consumer's consent."""
    view = await _audited_view(services, login, number, action="merchant.dossier")
    audience = dossier.Audience(
        staff=False, contact=view.contact_shared, kinds=merchant_cases.MERCHANT_KINDS
    )
    made = await dossiers.make_dossier(
        services, number, audience=audience, language=services.settings.language
    )
    if made is None:
        raise HTTPException(404, f"no complaint {number} forwarded to you")
    return pdf_response(made)


class Text(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


@router.post("/complaints/{number}/messages", status_code=202, response_model=MerchantMessageSent)
async def message(
    number: str, body: Text, login: MerchantDep, services: ServicesDep
) -> MerchantMessageSent | JSONResponse:
    """Reply to the consumer; relayed in their channel, tagged with your name."""
    try:
        notice = await merchant_work.send_message(services, login, number, body.text)
    except ActionError as error:
        return refused(error)
    return MerchantMessageSent(number=number, notice=notice)


class Offer(BaseModel):
    kind: str = Field(description="refund, return, exchange, repair, compensation, apology, other")
    amount: str | None = Field(default=None, max_length=20, description='yuan, e.g. "3999.00"')
    text: str = Field(min_length=1, max_length=2000)


@router.post("/complaints/{number}/offers", status_code=201, response_model=OfferMade)
async def offer(
    number: str, body: Offer, login: MerchantDep, services: ServicesDep
) -> OfferMade | JSONResponse:
    """Offer a settlement; the consumer accepts or declines it in their chat."""
    try:
        offer_id, notice = await merchant_work.make_offer(
            services, login, number, body.kind, body.amount, body.text
        )
    except ActionError as error:
        return refused(error)
    return OfferMade(number=number, offer=offer_id, notice=notice)
