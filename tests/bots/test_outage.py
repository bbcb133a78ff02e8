"""With the database unreachable, requests get 503 (platforms retry), never 500."""

from __future__ import annotations

from pathlib import Path

import httpx

from bots.services import Services
from bots.settings import Settings
from bots.web.app import create_app
from tests.support.server import free_port


async def test_an_unreachable_database_answers_503(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"
    settings = Settings(database_url=url, var_dir=tmp_path, evidence_dir=tmp_path / "e",
                        secret_key="outage-outage-outage-outage-01", run_worker=False,
                        _env_file=None)  # type: ignore[call-arg]
    services = Services.build(settings)
    app = create_app(services=services)
    app.state.services = services
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            chat = await http.post("/chat/messages", json={"text": "hi"})
            health = await http.get("/healthz")
    finally:
        await services.close()
    assert chat.status_code == 503
    assert health.status_code == 503
