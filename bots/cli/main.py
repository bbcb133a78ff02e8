"""The ``weiquan`` command line."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from bots.ops import logs, preflight
from bots.settings import Settings

app = typer.Typer(
    help="Weiquan: consumer complaint intake bot and staff console.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
wechat_app = typer.Typer(help="WeChat Official Account.", no_args_is_help=True)
app.add_typer(wechat_app, name="wechat")
telegram_app = typer.Typer(help="Telegram bot.", no_args_is_help=True)
app.add_typer(telegram_app, name="telegram")


def _settings() -> Settings:
    settings = preflight.load_settings()
    logs.configure(settings.log_level)
    return settings


def _upgrade(settings: Settings) -> None:
    from storage.migrate import upgrade

    upgrade(settings.database_url)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Bring the database schema up to date."""
    from storage.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"database at {revision}")



@app.command()
def diagrams(
    check: Annotated[
        bool, typer.Option("--check", help="Only report stale drawings (exit 1 if any)")
    ] = False,
) -> None:
    """Draw the intake and lifecycle machines as Mermaid text under docs/."""
    from dialogs import diagrams as drawn
    from storage.status_machine import MACHINE

    expected = drawn.drawings(MACHINE)
    changed = drawn.stale(expected) if check else drawn.write(expected)
    for path in changed:
        typer.echo(f"{'stale' if check else 'wrote'} {path.name}")
    if check and changed:
        raise typer.Exit(1)
    if not changed:
        typer.echo("drawings up to date")

# Docker and systemd send SIGKILL 10 s after SIGTERM: in-flight requests get 8 s to finish.
GRACEFUL_SHUTDOWN_SECONDS = 8


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind")] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Run no delivery loop")] = False,
) -> None:
    """Serve webhooks, the web chat, the staff API and console (and the worker loop)."""
    import os

    import uvicorn

    settings = _settings()
    polling = bool(settings.telegram_token and not settings.telegram_webhook_url)
    if workers > 1 and polling and not no_worker:
        # Telegram polling is a background loop: with several web processes it belongs
        # in `weiquan worker`, so the web processes never compete for getUpdates.
        typer.echo(
            "Telegram polling runs with the background loops in one process: add "
            "--no-worker and run `weiquan worker`, use --workers 1, or set "
            "WEIQUAN_TELEGRAM_WEBHOOK_URL",
            err=True,
        )
        raise typer.Exit(2)
    preflight.ready(settings)
    if no_worker:
        os.environ["WEIQUAN_RUN_WORKER"] = "false"
    port = port or settings.port
    if workers > 1:
        from bots.ops.metrics_share import share_between_processes

        share_between_processes(settings.var_dir, port)
    uvicorn.run(
        "bots.web.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port,
        workers=workers,
        # Applied again inside every worker process: they do not inherit this one's.
        log_config=logs.dict_config(settings.log_level),
        proxy_headers=True,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


@app.command()
def worker() -> None:
    """Run the delivery worker alone (any number of these may run)."""
    from bots.cli.worker import run_worker

    settings = _settings()
    preflight.ready(settings)
    asyncio.run(run_worker(settings))


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Your consumer name in this terminal")] = "me",
    lang: Annotated[str | None, typer.Option(help="zh-CN or en")] = None,
) -> None:
    """Chat with the bot in this terminal (reads lines from stdin, so it can be scripted)."""
    from bots.cli.terminal import run_chat

    settings = _settings()
    _upgrade(settings)
    asyncio.run(run_chat(settings, user=user, lang=lang, lines=sys.stdin))


@wechat_app.command("menu")
def wechat_menu(
    lang: Annotated[str | None, typer.Option(help="Menu language: zh-CN or en")] = None,
) -> None:
    """Install the custom menu (file a complaint, my complaints, help) on the account."""
    from adapters.wechat import menu
    from adapters.wechat.channel import build_api
    from bots.services import wechat_config
    from storage.db import Database
    from storage.kv import DatabaseKeyValues
    from storage.leases import DatabaseLeases

    settings = _settings()
    config = wechat_config(settings)
    if config is None or not config.can_push:
        typer.echo("set WEIQUAN_WECHAT_TOKEN, _APP_ID and _APP_SECRET first", err=True)
        raise typer.Exit(2)
    if settings.is_sqlite and not settings.redis_url:
        _upgrade(settings)  # the token row lives in the database

    async def install() -> dict[str, object]:
        database = Database(settings.database_url)
        try:
            api = build_api(config, DatabaseKeyValues(database), DatabaseLeases(database))
            return await menu.install(api, lang or settings.language)
        finally:
            await database.dispose()

    result = asyncio.run(install())
    typer.echo(f"menu installed: {result}")


@telegram_app.command("set-webhook")
def telegram_set_webhook() -> None:
    """Register WEIQUAN_TELEGRAM_WEBHOOK_URL (with the secret) as the bot's webhook."""
    from adapters.telegram.bot import build_bot
    from bots.services import telegram_config

    settings = _settings()
    config = telegram_config(settings)
    if config is None or not config.webhook_url:
        typer.echo("set WEIQUAN_TELEGRAM_TOKEN and WEIQUAN_TELEGRAM_WEBHOOK_URL first", err=True)
        raise typer.Exit(2)
    url = config.webhook_url

    async def register() -> bool:
        bot = build_bot(config)
        async with bot:
            return bool(
                await bot.set_webhook(
                    url=url,
                    secret_token=config.webhook_secret,
                    allowed_updates=["message", "callback_query"],
                )
            )

    ok = asyncio.run(register())
    typer.echo(f"webhook {'set' if ok else 'NOT set'}: {url}")
    if not ok:
        raise typer.Exit(1)


staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


def _account_setup() -> tuple[Settings, str]:
    """Settings (SQLite migrated) and a password from a prompt, or stdin when piped."""
    settings = _settings()
    if settings.is_sqlite:
        _upgrade(settings)
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    return settings, password


def _report_account(error: str | None, done: str) -> None:
    if error:
        typer.echo(error, err=True)
        raise typer.Exit(2)
    typer.echo(done)


@staff_app.command("create")
def staff_create(
    name: Annotated[str, typer.Argument(help="Username")],
    role: Annotated[str, typer.Option(help="agent, supervisor or admin")] = "agent",
    display_name: Annotated[str | None, typer.Option(help="Name shown in the console")] = None,
) -> None:
    """Create a staff account; the password is read from a prompt, or from stdin when piped."""
    from bots.cli.staff import create_account

    settings, password = _account_setup()
    error = asyncio.run(create_account(settings, name, role, password, display_name))
    _report_account(error, f"staff account {name} ({role}) created")


merchant_app = typer.Typer(help="Merchants (online dispute resolution).", no_args_is_help=True)
app.add_typer(merchant_app, name="merchant")


@merchant_app.command("create")
def merchant_create(
    name: Annotated[str, typer.Argument(help="The merchant's registered name")],
    credit_code: Annotated[
        str | None, typer.Option(help="Unified social credit code (18 characters)")
    ] = None,
    odr: Annotated[bool, typer.Option("--odr", help="Takes part in online dispute resolution")] = (
        False
    ),
    alias: Annotated[list[str] | None, typer.Option(help="Another name (repeatable)")] = None,
    address: Annotated[str | None, typer.Option(help="Address")] = None,
    contact: Annotated[str | None, typer.Option(help="Contact for the desk")] = None,
) -> None:
    """Register a merchant and print its id."""
    from bots.cli.merchants import create_merchant

    settings = _settings()
    if settings.is_sqlite:
        _upgrade(settings)
    made, error = asyncio.run(
        create_merchant(
            settings, name, credit_code=credit_code, odr=odr, aliases=alias or [],
            address=address, contact=contact,
        )
    )  # fmt: skip
    if error:
        typer.echo(error, err=True)
        raise typer.Exit(2)
    typer.echo(str(made))


@merchant_app.command("user")
def merchant_user(
    username: Annotated[str, typer.Argument(help="Username of the merchant's login")],
    merchant: Annotated[int, typer.Option("--merchant", help="Merchant id")],
) -> None:
    """Make a merchant login; the password is read from a prompt, or from stdin when piped."""
    from bots.cli.merchants import create_user

    settings, password = _account_setup()
    error = asyncio.run(create_user(settings, username, merchant, password))
    _report_account(error, f"merchant login {username} (merchant {merchant}) created")


calendar_app = typer.Typer(help="Working-day calendar.", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")


@calendar_app.command("check")
def calendar_check(
    first: Annotated[int | None, typer.Option(help="First year (default: last year)")] = None,
    last: Annotated[int | None, typer.Option(help="Last year (default: in two years)")] = None,
) -> None:
    """Print the source of each year's working days and the provisional ranges."""
    from bots.cli.calendar import report
    from dialogs import clock

    settings = _settings()
    clock.configure(settings.timezone)
    year = clock.local_date().year
    lines, ok = report(
        settings.holidays_file, settings.timezone, first or year - 1, last or year + 2
    )
    typer.echo("\n".join(lines))
    if not ok:
        raise typer.Exit(2)


dossier_app = typer.Typer(help="Evidence dossiers.", no_args_is_help=True)
app.add_typer(dossier_app, name="dossier")


@dossier_app.command("verify")
def dossier_verify(
    file: Annotated[Path, typer.Argument(help="The dossier PDF")],
    evidence_dir: Annotated[
        Path, typer.Option(help="The blob store folder (WEIQUAN_EVIDENCE_DIR) with the files")
    ],
) -> None:
    """Check a dossier's manifest hash and recompute every evidence file's SHA-256."""
    from bots.dossier.verify import verify

    lines, ok = verify(file, evidence_dir)
    typer.echo("\n".join(lines))
    if not ok:
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
