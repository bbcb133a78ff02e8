"""``weiquan staff …`` and ``weiquan merchant …``: staff accounts, merchants and their logins."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from bots.cli.environment import load_settings, upgrade_schema
from bots.settings import Settings

staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
merchant_app = typer.Typer(help="Merchants (online dispute resolution).", no_args_is_help=True)


def _account_setup() -> tuple[Settings, str]:
    """Settings (SQLite migrated) and a password from a prompt, or stdin when piped."""
    settings = load_settings()
    if settings.is_sqlite:
        upgrade_schema(settings)
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

    settings = load_settings()
    if settings.is_sqlite:
        upgrade_schema(settings)
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
