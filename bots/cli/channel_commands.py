"""``weiquan wechat …`` and ``weiquan telegram …``: set up the channels' accounts."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from bots.cli.environment import load_settings, upgrade_schema

wechat_app = typer.Typer(help="WeChat Official Account.", no_args_is_help=True)
telegram_app = typer.Typer(help="Telegram bot.", no_args_is_help=True)


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

    settings = load_settings()
    config = wechat_config(settings)
    if config is None or not config.can_push:
        typer.echo("set WEIQUAN_WECHAT_TOKEN, _APP_ID and _APP_SECRET first", err=True)
        raise typer.Exit(2)
    if settings.is_sqlite and not settings.redis_url:
        upgrade_schema(settings)  # the token row lives in the database

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

    settings = load_settings()
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
