"""The current merchant login behind a bearer token (``/api/v1/merchant/…``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from bots.merchants.work import MerchantLogin
from bots.staff.auth import ENDED, SecurityDep, bearer, unauthorised
from bots.web.deps import ServicesDep
from storage import staff as staff_store
from storage.models import Merchant


async def current_merchant(
    services: ServicesDep,
    security: SecurityDep,
    token: Annotated[str | None, Depends(bearer)],
) -> MerchantLogin:
    """The merchant login and its merchant; 401 without a valid token, 403 for staff."""
    if not token:
        raise unauthorised("sign in first: POST /api/v1/auth/token, then send a Bearer token")
    credential = security.signer.read_token(token)
    if credential is None:
        raise unauthorised("the token is invalid or has expired; sign in again")
    return await merchant_login(services, credential.staff_id, credential.epoch)


async def merchant_login(services: ServicesDep, account_id: int, epoch: int) -> MerchantLogin:
    """The active merchant login with this id whose sessions of ``epoch`` still hold
    (401 when gone or ended, 403 when not a merchant's)."""
    async with services.database.sessions() as session:
        account = await staff_store.get_active(session=session, staff_id=account_id, epoch=epoch)
        merchant = None
        if account is not None and account.merchant_id is not None:
            merchant = await session.get(Merchant, account.merchant_id)
    if account is None:
        raise unauthorised(ENDED)
    if merchant is None:
        raise HTTPException(403, "this is not a merchant account")
    return MerchantLogin(account, merchant)


MerchantDep = Annotated[MerchantLogin, Depends(current_merchant)]
