"""The ``weiquan`` command line: the app (the console-script entry point) and its commands
that run the service, the schema, the drawings, the calendar and dossiers; accounts and
channel set-up are in ``account_commands`` and ``channel_commands``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from bots.cli.account_commands import merchant_app, staff_app
from bots.cli.channel_commands import telegram_app, wechat_app
from bots.cli.environment import load_settings, upgrade_schema
from bots.ops import logs, preflight

app = typer.Typer(
    help="Weiquan: consumer complaint intake bot and staff console.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(wechat_app, name="wechat")
app.add_typer(telegram_app, name="telegram")
app.add_typer(staff_app, name="staff")
app.add_typer(merchant_app, name="merchant")
calendar_app = typer.Typer(help="Working-day calendar.", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
dossier_app = typer.Typer(help="Evidence dossiers.", no_args_is_help=True)
app.add_typer(dossier_app, name="dossier")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Bring the database schema up to date."""
    from storage.migrate import upgrade

    settings = load_settings()
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

    settings = load_settings()
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

    settings = load_settings()
    preflight.ready(settings)
    asyncio.run(run_worker(settings))


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Your consumer name in this terminal")] = "me",
    lang: Annotated[str | None, typer.Option(help="zh-CN or en")] = None,
) -> None:
    """Chat with the bot in this terminal (reads lines from stdin, so it can be scripted)."""
    from bots.cli.terminal import run_chat

    settings = load_settings()
    upgrade_schema(settings)
    asyncio.run(run_chat(settings, user=user, lang=lang, lines=sys.stdin))


@calendar_app.command("check")
def calendar_check(
    first: Annotated[int | None, typer.Option(help="First year (default: last year)")] = None,
    last: Annotated[int | None, typer.Option(help="Last year (default: in two years)")] = None,
) -> None:
    """Print the source of each year's working days and the provisional ranges."""
    from bots.cli.calendar import report
    from dialogs import clock

    settings = load_settings()
    clock.configure(settings.timezone)
    year = clock.local_date().year
    lines, ok = report(
        settings.holidays_file, settings.timezone, first or year - 1, last or year + 2
    )
    typer.echo("\n".join(lines))
    if not ok:
        raise typer.Exit(2)


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
