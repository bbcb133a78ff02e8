"""Admins manage staff in the console (audited); CSV files and charts speak labels."""

from __future__ import annotations

import csv
import io
import re

import httpx
from sqlalchemy import select, update

from bots.services import Services
from storage import phone_index
from storage import staff as staff_store
from storage.models import AuditEntry, Complaint
from tests.staff.helpers import PASSWORD, WebConsumer, file_by_chat, make_staff


async def console_login(client: httpx.AsyncClient, username: str, lang: str = "zh-CN") -> str:
    """Sign in through the console's form; the session's CSRF token."""
    login = await client.get(f"/console/login?lang={lang}")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token
    signed = await client.post(
        "/console/login", data={"username": username, "password": PASSWORD, "csrf": token[1]}
    )
    assert signed.status_code == 303
    page = await client.get("/console/complaints")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    return csrf[1]


async def test_an_admin_creates_deactivates_and_resets_accounts(
    client: httpx.AsyncClient, services: Services
) -> None:
    await make_staff(services, "boss", "admin")
    csrf = await console_login(client, "boss")
    page = await client.get("/console/staff")
    assert page.status_code == 200 and "boss</td>" in page.text
    assert '<td data-label="角色">管理员</td>' in page.text
    made = await client.post(
        "/console/staff",
        data={"username": "wang", "role": "agent", "password": "short", "csrf": csrf},
    )
    assert made.status_code == 422 and "密码须为 8–256 个字符" in made.text
    made = await client.post(
        "/console/staff",
        data={"username": "wang", "role": "agent", "password": PASSWORD, "csrf": csrf},
    )
    assert made.status_code == 303
    # Each refusal in the page's words, never the API's English sentence.
    for fields, words in (
        ({"username": "wang", "role": "agent"}, "该用户名已被使用"),
        ({"username": "w", "role": "agent"}, "用户名须为 2–64 个字母"),
    ):
        refused = await client.post(
            "/console/staff", data={**fields, "password": PASSWORD, "csrf": csrf}
        )
        assert refused.status_code == 422 and words in refused.text
        assert "is taken" not in refused.text and "letters, digits" not in refused.text
    async with services.database.sessions() as session:
        wang = await staff_store.by_username(session=session, username="wang")
        boss = await staff_store.by_username(session=session, username="boss")
    assert wang is not None and wang.role == "agent" and boss is not None
    reset = await client.post(
        f"/console/staff/{wang.id}/password", data={"password": "another long one", "csrf": csrf}
    )
    assert reset.status_code == 303
    async with services.database.sessions() as session:
        assert await staff_store.authenticate(
            session=session, username="wang", password="another long one"
        )
    own = await client.post(f"/console/staff/{boss.id}/deactivate", data={"csrf": csrf})
    assert own.status_code == 409 and "不能停用自己的账号" in own.text
    gone = await client.post(f"/console/staff/{wang.id}/deactivate", data={"csrf": csrf})
    assert gone.status_code == 303
    async with services.database.sessions() as session:
        assert await staff_store.get_active(session=session, staff_id=wang.id) is None
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("staff.%"))
                .order_by(AuditEntry.id)
            )
        )  # fmt: skip
    assert actions == ["staff.create", "staff.password", "staff.deactivate"]
    forged = await client.post(f"/console/staff/{wang.id}/deactivate", data={"csrf": "x"})
    assert forged.status_code == 403 and "表单已过期" in forged.text


async def test_only_admins_reach_staff_management(
    client: httpx.AsyncClient, services: Services
) -> None:
    await make_staff(services, "sup", "supervisor")
    await make_staff(services, "ag", "agent")
    csrf = await console_login(client, "sup")
    denied = await client.get("/console/staff")
    assert denied.status_code == 403 and "text/html" in denied.headers["content-type"]
    assert "您的角色无权查看此页面" in denied.text
    async with services.database.sessions() as session:
        ag = await staff_store.by_username(session=session, username="ag")
    assert ag is not None
    posted = await client.post(f"/console/staff/{ag.id}/deactivate", data={"csrf": csrf})
    assert posted.status_code == 403
    async with services.database.sessions() as session:
        assert await staff_store.get_active(session=session, staff_id=ag.id) is not None


async def test_the_csv_export_and_charts_use_labels_and_local_days(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await file_by_chat(WebConsumer.beside(client))
    await make_staff(services, "sup", "supervisor")
    await console_login(client, "sup")
    exported = await client.get("/console/export.csv?lang=zh-CN")
    table = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    head, row = table[0], dict(zip(table[0], table[1], strict=True))
    assert "编号" in head and "诉求" in head and "描述" in head and "金额" in head
    assert row["编号"] == number and row["类别"] == "家用电器" and row["渠道"] == "网页"
    assert row["金额"] == "3,999.00 元" and row["诉求"] == "退款、换货"
    assert row["状态"] == "已提交" and "fridge" in row["描述"]

    stats = await client.get("/console/statistics?filed_from=2026-11-01&filed_to=2026-11-30")
    assert stats.status_code == 200
    # A continuous day axis: thirty days, most of them zero.
    day_links = re.findall(r"filed_from=(2026-11-\d\d)&amp;filed_to=\1\"", stats.text)
    assert len(day_links) == 30
    assert "/console/complaints?filed_from=2026-11-01&amp;filed_to=2026-11-30&amp;status=" in (
        stats.text
    )
    days = await client.get(
        "/console/statistics.csv?chart=by_day&filed_from=2026-11-01&filed_to=2026-11-30"
    )
    lines = days.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "日期,数量" and len(lines) == 31 and lines[1] == "2026-11-01,0"
    backwards = await client.get("/console/statistics?filed_from=2026-12-02&filed_to=2026-12-01")
    assert backwards.status_code == 422 and "text/html" in backwards.headers["content-type"]


async def test_the_full_phone_number_finds_a_complaint_through_its_keyed_index(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await file_by_chat(WebConsumer.beside(client))
    await make_staff(services, "ag", "agent")
    await console_login(client, "ag")
    async with services.database.sessions() as session:
        stored = await session.scalar(select(Complaint.phone_hash))
    assert stored == services.cipher.phone_index("+8613812345678")
    assert "13812345678" not in str(stored)

    def listed(page: httpx.Response) -> bool:
        return f'href="/console/complaints/{number}"' in page.text

    assert listed(await client.get("/console/complaints", params={"q": "138 1234 5678"}))
    assert listed(await client.get("/console/complaints", params={"q": "+86 13812345678"}))
    assert not listed(await client.get("/console/complaints", params={"q": "13812345679"}))
    # A part of the number is not a phone search: nothing is decrypted to compare.
    assert not listed(await client.get("/console/complaints", params={"q": "12345678"}))

    # Rows filed before the index existed are filled at startup.
    async with services.database.transaction() as session:
        await session.execute(update(Complaint).values(phone_hash=None))
    assert await phone_index.fill_missing(services.database, services.cipher) == 1
    assert listed(await client.get("/console/complaints", params={"q": "13812345678"}))
    assert await phone_index.fill_missing(services.database, services.cipher) == 0


async def test_signing_in_returns_to_console_pages_only(
    client: httpx.AsyncClient, services: Services
) -> None:
    await make_staff(services, "ag", "agent")
    for target, landing in (
        ("/console/complaints?assignee=me", "/console/complaints?assignee=me"),
        ("https://evil.example/console/", "/console/complaints"),
        ("//evil.example/console/x", "/console/complaints"),
        ("/console/\\evil", "/console/complaints"),
        ("/api/v1/complaints", "/console/complaints"),
    ):
        client.cookies.clear()
        login = await client.get("/console/login", params={"next": target})
        token = re.search(r'name="csrf" value="([^"]+)"', login.text)
        assert token
        signed = await client.post(
            "/console/login",
            data={"username": "ag", "password": PASSWORD, "csrf": token[1], "next": target},
        )
        assert signed.headers["location"] == landing, target
