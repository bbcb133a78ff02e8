"""Everything a process needs, built once from the settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.base import MediaFetcher, Sender
from bots.commands import CommandRunner, link_key
from bots.data_rights.links import MyDataLinks
from bots.dossier.links import DossierLinks
from bots.engine import Engine
from bots.settings import Settings
from bots.web.progress_links import ProgressLinks
from dialogs import clock
from dialogs.intake import DialogOptions
from storage.blobs import BlobStore
from storage.crypto import FieldCipher
from storage.db import Database
from storage.deadlines import Deadlines
from storage.seen_nonces import NonceStore, nonce_store
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
    # Push channels by platform name; each channel adds itself in build() when configured.
    senders: dict[str, Sender] = field(default_factory=dict)
    fetchers: dict[str, MediaFetcher] = field(default_factory=dict)
    # Channel objects by platform name, for routes and loops that need more than sending.
    channels: dict[str, Any] = field(default_factory=dict)
    # Called on close, last registered first (channels' network clients).
    closing: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # (timestamp, nonce) pairs of signed WeChat requests seen in the replay window.
    wechat_nonces: NonceStore | None = None
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
        # Channels register their senders and fetchers here (one block per channel).
        from adapters.wechat import channel as wechat_channel

        if wechat_channel.configured(settings):
            wechat = wechat_channel.build(settings, database, services.progress.link)
            services.senders["wechat"] = wechat.sender
            services.fetchers["wechat"] = wechat.fetcher
            services.closing.append(wechat.close)
        if settings.wechat_enabled:
            prefix = f"weiquan:wechat_nonce:{settings.wechat_app_id or ''}:"
            services.wechat_nonces = nonce_store(database, settings.redis_url, prefix, services.now)
            services.closing.append(services.wechat_nonces.close)
        from adapters.telegram import channel as telegram_channel

        if telegram_channel.configured(settings):
            telegram = telegram_channel.build(settings)
            services.channels["telegram"] = telegram
            services.senders["telegram"] = telegram.sender
            services.fetchers["telegram"] = telegram.fetcher
            services.closing.append(telegram.close)
            from bots.dossier.build import consumer_document

            async def documents(ref: str) -> tuple[str, bytes] | None:
                return await consumer_document(services, ref)

            telegram.documents = documents
        return services

    def now(self) -> datetime:
        """The engine's clock (tests set their own)."""
        return self.engine.clock()

    async def close(self) -> None:
        """Release every connection this process holds."""
        for close in reversed(self.closing):
            await close()
        await self.database.dispose()
