"""FastAPI dependencies for staff: the signer, the login limiter and the current account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer

from bots.staff.login_limits import LoginLimiter, redis_storage
from bots.web.deps import ServicesDep
from bots.web.security import Signer
from storage import staff as staff_store
from storage.merchants import is_merchant_login
from storage.models import Staff

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


@dataclass
class StaffSecurity:
    """Per-process signer and limiter, built on first use from the settings."""

    signer: Signer
    limiter: LoginLimiter


async def get_security(request: Request, services: ServicesDep) -> StaffSecurity:
    """The app's signer and login limiter (shared Redis counts when configured)."""
    existing: StaffSecurity | None = getattr(request.app.state, "staff_security", None)
    if existing is not None:
        return existing
    limiter = LoginLimiter()
    if services.settings.redis_url:
        import redis.asyncio as redis_asyncio

        pool: Any = redis_asyncio.ConnectionPool.from_url(services.settings.redis_url)
        # Closed with the other clients when the app shuts down.
        services.closing.append(pool.aclose)
        limiter = LoginLimiter(redis_storage(services.settings.redis_url, pool))
    security = StaffSecurity(Signer(services.settings.resolved_secret_key), limiter)
    request.app.state.staff_security = security
    return security


SecurityDep = Annotated[StaffSecurity, Depends(get_security)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ENDED = "this session has ended (password, role or account changed) or the account is disabled"


def unauthorised(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


async def current_staff(
    services: ServicesDep,
    security: SecurityDep,
    token: Annotated[str | None, Depends(bearer)],
) -> Staff:
    """The account behind the bearer token; 401 when missing, invalid, expired or inactive."""
    if not token:
        raise unauthorised("sign in first: POST /api/v1/auth/token, then send a Bearer token")
    credential = security.signer.read_token(token)
    if credential is None:
        raise unauthorised("the token is invalid or has expired; sign in again")
    async with services.database.sessions() as session:
        staff = await staff_store.get_active(
            session=session, staff_id=credential.staff_id, epoch=credential.epoch
        )
    if staff is None:
        raise unauthorised(ENDED)
    if is_merchant_login(staff):
        raise HTTPException(403, "a merchant account reaches only /api/v1/merchant/…")
    return staff


StaffDep = Annotated[Staff, Depends(current_staff)]


def role(needed: str) -> Any:
    """A dependency that lets through staff with at least ``needed`` (403 otherwise)."""

    async def check(staff: StaffDep) -> Staff:
        if not staff_store.role_at_least(staff.role, needed):
            raise HTTPException(403, f"this needs the {needed} role; you are {staff.role}")
        return staff

    return Depends(check)


SupervisorDep = Annotated[Staff, role("supervisor")]
AdminDep = Annotated[Staff, role("admin")]
