"""``/docs`` works on a closed network: every asset it loads comes from the app."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import Request

from bots.settings import Settings
from bots.web.app import create_app
from storage.db import Database
from tests.support.browser import chromium
from tests.support.server import serve_in_thread


async def test_docs_reference_only_local_assets_and_they_are_served(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", page.text)
    assert any(u.endswith(".js") for u in urls), urls
    for url in urls:
        # Local: a path on this app, never another host (no scheme, no //host).
        assert url.startswith("/") and not url.startswith("//"), url
        assert (await client.get(url)).status_code == 200, url
    assert "cdn" not in page.text.lower()
    # ReDoc would load its logo from its vendor's CDN: it is off.
    assert (await client.get("/redoc")).status_code == 404


async def test_the_chat_page_loads_only_its_own_assets(client: httpx.AsyncClient) -> None:
    page = await client.get("/chat")
    urls = re.findall(r"""(?:src|href)=["']([^"'#]+)["']""", page.text)
    assert sorted(urls) == ["/chat/static/chat.css", "/chat/static/chat.js"]
    for url in urls:
        assert (await client.get(url)).status_code == 200
    # The step inputs come from flow.yaml: the description's limit is there.
    assert '"description": {"kind": "text", "min": 10, "max": 2000, "multiline": true}' in (
        page.text
    )


async def test_docs_render_in_a_browser_that_reaches_no_other_host(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    elsewhere: list[str] = []
    with serve_in_thread(create_app(settings)) as base:
        async with chromium() as browser:
            page = await browser.new_page()

            def note(request: Request) -> None:
                if not request.url.startswith((base, "data:", "blob:")):
                    elsewhere.append(request.url)

            page.on("request", note)
            await page.goto(f"{base}/docs")
            # The operations listed: Swagger UI read the OpenAPI 3.1 document.
            await page.wait_for_selector(".opblock-tag", timeout=15_000)
            assert "Weiquan" in await page.locator(".swagger-ui .info .title").inner_text()
            await page.screenshot(path=str(tmp_path / "docs.png"))
    assert elsewhere == []
