"""Everything a process needs, built once from the settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import APIRouter

from adapters.base import Channel, MediaFetcher, Sender
from adapters.telegram.config import TelegramConfig
from adapters.terminal import TerminalChannel
from adapters.web import WebChannel
from adapters.wechat.config import WeChatConfig
from bots.commands import CommandRunner, link_key
from bots.data_rights.links import MyDataLinks
from bots.dossier.links import DossierLinks
from bots.engine import Engine
from bots.settings import Settings
from bots.web.progress_links import ProgressLinks
from dialogs import clock
from dialogs.intake import DialogOptions
from storage import my_data
from storage.blobs import BlobStore
from storage.crypto import FieldCipher
from storage.db import Database
from storage.deadlines import Deadlines
from storage.kv import DatabaseKeyValues
from storage.leases import DatabaseLeases
from storage.seen_nonces import nonce_store
from storage.workdays import WorkCalendar


@dataclass
class Services:
    """The shared parts of a running Weiquan: database, stores, engine."""

    settings: Settings
    database: Database
    blobs: BlobStore
    cipher: FieldCipher
    deadlines: Deadlines
    engine: Engine
    # The channels the settings turn on, by platform name (the app mounts their routes
    # and runs their loops), and their push routes for the outbox worker.
    channels: dict[str, Channel] = field(default_factory=dict)
    senders: dict[str, Sender] = field(default_factory=dict)
    fetchers: dict[str, MediaFetcher] = field(default_factory=dict)
    # Called on close, last registered first (channels' network clients).
    closing: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Signed links to a consumer's progress page (WeChat templates open them).
    progress: ProgressLinks | None = None

    @classmethod
    def build(cls, settings: Settings) -> Services:
        database = Database(settings.database_url, pool_size=settings.db_pool_size)
        blobs = BlobStore(settings.evidence_dir, max_bytes=settings.max_evidence_bytes)
        cipher = FieldCipher(settings.resolved_secret_key)
        clock.configure(settings.timezone)
        deadlines = Deadlines.configured(
            WorkCalendar(settings.holidays_file),
            accept_workdays=settings.accept_workdays,
            resolve_workdays=settings.resolve_workdays,
            mediation_workdays=settings.mediation_workdays,
            answer_workdays=settings.answer_workdays,
        )
        runner = CommandRunner(
            deadlines,
            cipher,
            max_evidence_files=settings.max_evidence_files,
            max_evidence_bytes=settings.max_evidence_bytes,
            link_key=link_key(settings.resolved_secret_key),
            links_signer=MyDataLinks(settings.resolved_secret_key, settings.public_base_url),
            settle_workdays=settings.settle_workdays,
            dossier_links=DossierLinks(settings.resolved_secret_key, settings.public_base_url),
        )
        options = DialogOptions(
            default_language=settings.language,
            draft_resume_hours=settings.draft_resume_hours,
            max_evidence_files=settings.max_evidence_files,
            accept_workdays=deadlines.workdays("complaint", "acceptance") or 7,
            resolve_workdays=deadlines.workdays("complaint", "resolution") or 60,
            retention_years=settings.retention_years,
        )
        engine = Engine(database, runner, options)
        services = cls(settings, database, blobs, cipher, deadlines, engine)
        services.progress = ProgressLinks(
            settings.resolved_secret_key,
            settings.public_base_url,
            settings.progress_link_days,
            clock=services.now,
        )
        for channel in build_channels(services):
            services.channels[channel.name] = channel
            if channel.sender is not None:
                services.senders[channel.name] = channel.sender
            if channel.fetcher is not None:
                services.fetchers[channel.name] = channel.fetcher
            services.closing.append(channel.close)
        return services

    def now(self) -> datetime:
        """The engine's clock (tests set their own)."""
        return self.engine.clock()

    async def consumer_file(self, identity_id: int, ref: str) -> tuple[str, bytes] | None:
        """A file a reply refers to, made for the consumer now: the data export
        (``my_data``) or their dossier; None when there is none."""
        if ref == "my_data":
            async with self.database.sessions() as session:
                document = await my_data.export(
                    session=session, cipher=self.cipher, identity_id=identity_id,
                    now=self.now(),
                )
            return "my-data.json", my_data.to_json(document)
        from bots.dossier.build import consumer_document

        return await consumer_document(self, ref)

    async def close(self) -> None:
        """Release every connection this process holds."""
        for close in reversed(self.closing):
            await close()
        await self.database.dispose()


def wechat_config(settings: Settings) -> WeChatConfig | None:
    """The WeChat channel's config, None while it is off (no token)."""
    if not settings.wechat_token:
        return None
    return WeChatConfig(
        token=settings.wechat_token,
        app_id=settings.wechat_app_id,
        app_secret=settings.wechat_app_secret,
        aes_key=settings.wechat_aes_key,
        api_base_url=settings.wechat_api_base_url,
        template_id=settings.wechat_template_id,
        template_fields=settings.wechat_template_fields,
        timeout_seconds=settings.wechat_timeout_seconds,
        replay_window=settings.wechat_replay_window,
        redis_url=settings.redis_url,
    )


def telegram_config(settings: Settings) -> TelegramConfig | None:
    """The Telegram channel's config, None while it is off (no token)."""
    if not settings.telegram_token:
        return None
    return TelegramConfig(
        token=settings.telegram_token,
        api_base_url=settings.telegram_api_base_url,
        file_base_url=settings.telegram_file_base_url,
        webhook_url=settings.telegram_webhook_url,
        webhook_secret=settings.telegram_webhook_secret,
        messages_per_second=settings.telegram_messages_per_second,
        language=settings.language,
        redis_url=settings.redis_url,
    )


def build_channels(services: Services) -> list[Channel]:
    """The web chat and the terminal always; WeChat and Telegram when configured."""
    # Imported here: the platforms' libraries load only in processes that use them, and
    # the chat routes depend on this module.
    from adapters.telegram import channel as telegram_channel
    from adapters.wechat import channel as wechat_channel
    from bots.web.routes import chat
    from bots.web.routes import my_data as my_data_routes

    settings, database = services.settings, services.database
    values, leases = DatabaseKeyValues(database), DatabaseLeases(database)
    web_routes = APIRouter()
    web_routes.include_router(chat.router)
    web_routes.include_router(my_data_routes.router)
    channels: list[Channel] = [WebChannel(web_routes), TerminalChannel()]
    if wechat := wechat_config(settings):
        prefix = f"weiquan:wechat_nonce:{wechat.app_id or ''}:"
        nonces = nonce_store(database, settings.redis_url, prefix, services.now)
        progress = services.progress.link if services.progress else None
        channels.append(wechat_channel.build(
            wechat, services.engine, nonces, services.now, values=values, leases=leases,
            progress_link=progress,
        ))
    if telegram := telegram_config(settings):
        channels.append(telegram_channel.build(
            telegram, services.engine, values=values, leases=leases,
            documents=services.consumer_file,
        ))
    return channels
