"""The merchant registry and merchants' logins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.validators import clean_text
from storage import staff as staff_store
from storage.credit_code import BadCreditCode, validated
from storage.merchant_names import keys_of, match_score, name_key
from storage.models import Merchant, Staff

MERCHANT_ROLE = "merchant"
MAX_ALIASES = 20


class MerchantError(ValueError):
    """A merchant or merchant login cannot be created as asked; the message says why."""


def _clean(value: str | None, limit: int) -> str | None:
    # Control characters go: PostgreSQL refuses NUL and nobody types them on purpose.
    value = clean_text(value or "", keep_newlines=False)
    if len(value) > limit:
        raise MerchantError(f"at most {limit} characters: {value[:20]}…")
    return value or None


async def create_merchant(
    *,
    session: AsyncSession,
    name: str,
    now: datetime,
    credit_code: str | None = None,
    aliases: Sequence[str] = (),
    address: str | None = None,
    contact: str | None = None,
    odr: bool = False,
) -> Merchant:
    """Register a merchant.

    Raises:
        MerchantError: empty name, invalid or already registered credit code, too long.
    """
    clean_name = _clean(name, 200)
    if not clean_name or not name_key(clean_name):
        raise MerchantError("the merchant needs a name")
    code = None
    if credit_code and credit_code.strip():
        try:
            code = validated(credit_code)
        except BadCreditCode as bad:
            raise MerchantError(f"credit code: {bad}") from None
        taken = await session.scalar(select(Merchant.id).where(Merchant.credit_code == code))
        if taken is not None:
            raise MerchantError(f"credit code {code} is already registered (merchant {taken})")
    names = [a for a in (_clean(a, 200) for a in aliases) if a]
    if len(names) > MAX_ALIASES:
        raise MerchantError(f"at most {MAX_ALIASES} aliases")
    merchant = Merchant(
        name=clean_name,
        name_key=name_key(clean_name),
        aliases=names,
        credit_code=code,
        address=_clean(address, 500),
        contact=_clean(contact, 200),
        odr=odr,
        created_at=now,
    )
    session.add(merchant)
    await session.flush()
    return merchant


async def get(*, session: AsyncSession, merchant_id: int) -> Merchant | None:
    return await session.get(Merchant, merchant_id)


async def list_merchants(*, session: AsyncSession, limit: int | None = None) -> list[Merchant]:
    """Every merchant (or the first ``limit``), by name."""
    query = select(Merchant).order_by(Merchant.name, Merchant.id).limit(limit)
    return list(await session.scalars(query))


async def suggest(*, session: AsyncSession, typed: str | None, limit: int = 5) -> list[Merchant]:
    """Registered merchants that the name a consumer typed may mean, best first."""
    if not typed or not name_key(typed):
        return []
    scored = [
        (score, m)
        for m in await list_merchants(session=session)
        if (score := match_score(typed, keys_of(m.name, m.aliases or [])))
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1].id))
    return [m for _, m in scored[:limit]]


async def create_login(
    *, session: AsyncSession, username: str, password: str, merchant_id: int, now: datetime
) -> Staff:
    """A login for a merchant's staff, bound to that merchant.

    Raises:
        MerchantError: no such merchant, a bad username or password, or a taken name.
    """
    if await session.get(Merchant, merchant_id) is None:
        raise MerchantError(f"no merchant {merchant_id}")
    try:
        # The staff rules for names and passwords, with any staff role as a stand-in.
        staff_store.check_new_account(username, staff_store.ROLES[0], password)
    except staff_store.StaffError as error:
        raise MerchantError(str(error)) from None
    if await staff_store.by_username(session=session, username=username) is not None:
        raise MerchantError(f"username {username!r} is taken")
    login = Staff(
        username=username,
        role=MERCHANT_ROLE,
        password_hash=staff_store.hash_password(password),
        merchant_id=merchant_id,
        active=True,
        created_at=now,
    )
    session.add(login)
    await session.flush()
    return login


def is_merchant_login(account: Staff) -> bool:
    """Whether an account acts for a merchant (and must stay out of the staff side)."""
    return account.role == MERCHANT_ROLE or account.merchant_id is not None


async def names_of_actors(*, session: AsyncSession, actors: Iterable[str]) -> dict[str, str]:
    """``{"merchant:suning": "苏宁易购"}``: the merchant each merchant login acts for.

    Actors that are not merchant logins (``staff:mei``, ``consumer``) are left out.
    """
    usernames = {a.removeprefix("merchant:") for a in actors if a.startswith("merchant:")}
    if not usernames:
        return {}
    rows = await session.execute(
        select(Staff.username, Merchant.name)
        .join(Merchant, Merchant.id == Staff.merchant_id)
        .where(Staff.username.in_(sorted(usernames)))
    )
    return {f"merchant:{username}": name for username, name in rows.all()}
