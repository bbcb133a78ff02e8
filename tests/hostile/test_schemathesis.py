"""Schemathesis over the whole OpenAPI spec, in process: no input gets a 5xx, and every
answer matches the schema documented for its status (the response models, the one-line
``{"detail"}`` errors).

Staff operations are called with an admin's bearer token, so generated values reach the
handlers and the database rather than stopping at the 401. Bounded examples per
operation keep the run short on both databases.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from bots.settings import Settings
from bots.web.app import create_app
from bots.web.security import Signer
from storage import staff as staff_store
from storage.db import Database
from tests.conftest import empty
from tests.fakes import telegram_api

EXAMPLES = 60


@pytest.fixture
def api_settings(db_url: str, tmp_path: Path) -> Iterator[Settings]:
    """Every channel that works without a signature: web chat and the Telegram webhook
    without a secret (so generated bodies reach the update parser)."""
    with telegram_api.running_fake() as fake:
        yield Settings(
            database_url=db_url,
            evidence_dir=tmp_path / "evidence",
            var_dir=tmp_path / "var",
            secret_key="schemathesis-secret-key-0123456789",
            run_worker=False,
            language="en",
            telegram_token=fake.token,
            telegram_api_base_url=fake.base_url,
            telegram_webhook_url="https://bot.example.org/webhooks/telegram",
            telegram_messages_per_second=1000,
            _env_file=None,  # type: ignore[call-arg]
        )


async def _admin_id(url: str) -> int:
    database = Database(url)
    try:
        await empty(database)
        async with database.transaction() as session:
            made = await staff_store.create_staff(
                session=session, username="fuzz-admin", role="admin",
                password="fuzz password 123", now=datetime.now(UTC),
            )  # fmt: skip
            await session.flush()
            return int(made.id)
    finally:
        await database.dispose()


@pytest.fixture
def bearer(api_settings: Settings) -> dict[str, str]:
    staff_id = asyncio.run(_admin_id(api_settings.database_url))
    token = Signer(api_settings.resolved_secret_key).issue_token(staff_id)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_schema(api_settings: Settings, bearer: dict[str, str]) -> Any:
    app = create_app(api_settings)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_input_gets_a_server_error(api_schema: Any, bearer: dict[str, str]) -> None:
    """Valid and invalid requests for every operation; a 5xx, or an answer that is not
    what the schema documents for its status, fails the test."""
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            case.call_and_validate(
                headers=bearer, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            call()
        except Exception as error:  # collect every operation's failure, then report
            failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:2000])
    assert operations > 15
    assert not failures, "\n\n".join(failures)
