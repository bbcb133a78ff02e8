"""Web chat uploads per consumer per hour (``WEIQUAN_UPLOADS_PER_HOUR``).

Each upload costs bandwidth, a hash over up to 20 MB and a staged file, whether or not
it becomes evidence, so a consumer gets a fixed number an hour (a moving window, from
the ``limits`` library). In process by default; with ``WEIQUAN_REDIS_URL`` the count is
shared by every process, so more replicas do not multiply the allowance.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from limits import RateLimitItemPerHour
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from bots.web.deps import ServicesDep

NAMESPACE = "weiquan-web-upload"


class UploadLimiter:
    """Counts a consumer's uploads in the last hour.

    Args:
        per_hour: uploads a consumer may make in any hour.
        storage: where the counts live (``limits`` async storage); in memory by default.
    """

    def __init__(self, per_hour: int, storage: Storage | None = None) -> None:
        self._item = RateLimitItemPerHour(per_hour)
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())

    async def allow(self, user_id: str) -> bool:
        """Count one upload by ``user_id``; False (and not counted) when over the limit."""
        return bool(await self._limiter.hit(self._item, NAMESPACE, user_id))


async def upload_limiter(request: Request, services: ServicesDep) -> UploadLimiter:
    """The app's upload limiter, built on first use from the settings."""
    existing: UploadLimiter | None = getattr(request.app.state, "upload_limiter", None)
    if existing is not None:
        return existing
    storage: Any = None
    if services.settings.redis_url:
        import redis.asyncio as redis_asyncio

        pool: Any = redis_asyncio.ConnectionPool.from_url(services.settings.redis_url)
        # Closed with the other clients when the app shuts down.
        services.closing.append(pool.disconnect)
        storage = storage_from_string(
            "async+" + services.settings.redis_url,
            implementation="redispy",
            connection_pool=pool,
        )
    limiter = UploadLimiter(services.settings.uploads_per_hour, storage)
    request.app.state.upload_limiter = limiter
    return limiter


UploadLimiterDep = Annotated[UploadLimiter, Depends(upload_limiter)]
