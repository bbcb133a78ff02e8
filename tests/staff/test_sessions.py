"""A password reset, a role change and a deactivation end that person's console
sessions and API tokens at once; changing one's own password ends the other sessions
and keeps the current one. Other people's sessions are never touched."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from sqlalchemy import select

from bots.services import Services
from bots.web.app import create_app
from bots.web.security import Signer
from storage import staff as staff_store
from storage.models import AuditEntry
from tests.staff.helpers import PASSWORD, make_staff

Browser = Callable[[], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def browser(services: Services) -> Browser:
    """Each call: a client with a cookie jar of its own (another browser or device)."""
    app = create_app(services=services)
    app.state.services = services

    @asynccontextmanager
    async def one() -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http

    return one


async def console_sign_in(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    """Sign in at /console; the session's CSRF token."""
    login = await http.get("/console/login?lang=zh-CN")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token
    signed = await http.post(
        "/console/login", data={"username": username, "password": password, "csrf": token[1]}
    )
    assert signed.status_code == 303, signed.text
    page = await http.get("/console/complaints")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert page.status_code == 200 and csrf
    return csrf[1]


async def api_token(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> dict:
    got = await http.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert got.status_code == 200, got.text
    return {"Authorization": f"Bearer {got.json()['access_token']}"}


async def console_open(http: httpx.AsyncClient) -> bool:
    """Whether the cookie still holds a session (else: sent to the sign-in page)."""
    page = await http.get("/console/complaints")
    if page.status_code == 303:
        assert page.headers["location"].startswith("/console/login")
        return False
    assert page.status_code == 200
    return True


async def api_open(http: httpx.AsyncClient, headers: dict) -> bool:
    answer = await http.get("/api/v1/complaints", headers=headers)
    assert answer.status_code in (200, 401), answer.text
    return answer.status_code == 200


async def staff_id(services: Services, username: str) -> int:
    async with services.database.sessions() as session:
        found = await staff_store.by_username(session=session, username=username)
    assert found is not None
    return found.id


async def ended(services: Services) -> list[tuple[str | None, str, object]]:
    async with services.database.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "auth.sessions_ended")
            .order_by(AuditEntry.id)
        )  # fmt: skip
        return [(r.target, r.actor, r.detail.get("reason")) for r in rows]


@pytest.mark.parametrize(
    ("action", "form"),
    [("password", {"password": "a brand new passphrase"}), ("role", {"role": "supervisor"}),
     ("deactivate", {})],
)  # fmt: skip
async def test_an_admin_change_ends_that_persons_sessions_and_no_one_elses(
    action: str, form: dict[str, str], services: Services, browser: Browser
) -> None:
    for username, role in (("boss", "admin"), ("wang", "agent"), ("li", "agent")):
        await make_staff(services, username, role)
    async with browser() as admin, browser() as wang_laptop, browser() as li_laptop:
        csrf = await console_sign_in(admin, "boss")
        await console_sign_in(wang_laptop, "wang")
        await console_sign_in(li_laptop, "li")
        wang_api, li_api = await api_token(admin, "wang"), await api_token(admin, "li")
        assert await api_open(admin, wang_api) and await console_open(wang_laptop)

        wang = await staff_id(services, "wang")
        done = await admin.post(f"/console/staff/{wang}/{action}", data={"csrf": csrf, **form})
        assert done.status_code == 303, done.text

        assert not await console_open(wang_laptop)
        assert not await api_open(admin, wang_api)
        assert await console_open(li_laptop) and await api_open(admin, li_api)
        assert await console_open(admin)
        assert await ended(services) == [("wang", "staff:boss", action)]

        if action == "deactivate":
            # Reactivated, the old credentials stay ended; a new sign-in works.
            back = await admin.post(f"/console/staff/{wang}/reactivate", data={"csrf": csrf})
            assert back.status_code == 303
            assert not await api_open(admin, wang_api)
            assert not await console_open(wang_laptop)
        password = form.get("password", PASSWORD)
        await console_sign_in(wang_laptop, "wang", password)
        assert await api_open(admin, await api_token(admin, "wang", password))
        if action == "role":
            staff_page = await wang_laptop.get("/console/overview")
            assert staff_page.status_code == 200  # the new role's rights, at once


async def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(
    services: Services, browser: Browser
) -> None:
    await make_staff(services, "wang", "agent")
    await make_staff(services, "li", "agent")
    async with browser() as desk, browser() as phone, browser() as li_laptop:
        csrf = await console_sign_in(desk, "wang")
        await console_sign_in(phone, "wang")
        await console_sign_in(li_laptop, "li")
        token, li_token = await api_token(desk, "wang"), await api_token(desk, "li")

        wrong = await desk.post("/console/account/password", data={
            "csrf": csrf, "current_password": "not it at all", "password": "a new passphrase",
        })  # fmt: skip
        assert wrong.status_code == 403 and "当前密码不正确" in wrong.text
        short = await desk.post("/console/account/password", data={
            "csrf": csrf, "current_password": PASSWORD, "password": "short",
        })  # fmt: skip
        assert short.status_code == 422 and "密码须为 8–256 个字符" in short.text
        assert await console_open(phone) and await api_open(desk, token)

        changed = await desk.post("/console/account/password", data={
            "csrf": csrf, "current_password": PASSWORD, "password": "a new passphrase",
        })  # fmt: skip
        assert changed.status_code == 303
        assert changed.headers["location"] == "/console/account?done=1"
        page = await desk.get("/console/account?done=1")
        assert page.status_code == 200 and "密码已修改，其他登录已失效" in page.text
        # The forms already open on this desk keep their CSRF token.
        assert f'name="csrf" value="{csrf}"' in page.text

        assert not await console_open(phone)
        assert not await api_open(desk, token)
        assert await console_open(li_laptop) and await api_open(desk, li_token)
        assert await ended(services) == [("wang", "staff:wang", "own_password")]
        async with services.database.sessions() as session:
            assert await staff_store.authenticate(
                session=session, username="wang", password="a new passphrase"
            )


async def test_an_admin_cannot_demote_or_reset_themselves_here(
    services: Services, browser: Browser
) -> None:
    await make_staff(services, "boss", "admin")
    async with browser() as admin:
        csrf = await console_sign_in(admin, "boss")
        boss = await staff_id(services, "boss")
        role = await admin.post(f"/console/staff/{boss}/role", data={"csrf": csrf, "role": "agent"})
        assert role.status_code == 409 and "不能更改自己的角色" in role.text
        reset = await admin.post(
            f"/console/staff/{boss}/password", data={"csrf": csrf, "password": "long enough now"}
        )
        assert reset.status_code == 409 and "我的账号" in reset.text
        unknown = await admin.post(f"/console/staff/{boss}/promote", data={"csrf": csrf})
        assert unknown.status_code == 404
        assert await console_open(admin) and await ended(services) == []


def test_credentials_from_before_session_epochs_count_as_epoch_zero() -> None:
    signer = Signer("test-secret-key-test-secret-key")
    old_token = signer._tokens.dumps({"sid": 7})
    assert signer.read_token(old_token) == signer.read_token(signer.issue_token(7))
    old_cookie = signer._sessions.dumps({"sid": 7, "csrf": "x"})
    session = signer.read_session(old_cookie)
    assert session is not None and session.epoch == 0
    # A forged epoch needs the key like everything else in the cookie.
    assert signer.read_token(signer.issue_token(7, 3) + "x") is None
    assert signer.read_session(signer._sessions.dumps({"sid": 7, "csrf": "x", "ep": -1})) is None
