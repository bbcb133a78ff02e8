"""Carries out the data-rights commands: export, erase, withdraw consent."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bots.data_rights.links import MyDataLinks
from dialogs.command_results import (
    CommandResult,
    ConsentCases,
    DataErased,
    DataExport,
    Done,
    Refused,
)
from dialogs.commands import Command, EraseMyData, ExportMyData, ListConsentCases, WithdrawConsent
from dialogs.vocabulary import Platform
from storage import complaints, consents, erasure, links, my_data
from storage.crypto import FieldCipher
from storage.models import Identity

log = logging.getLogger("weiquan.data_rights")

#: How each channel hands the export over (see dialogs.command_results.DataExport).
DELIVERY = {Platform.TELEGRAM: "document", Platform.WEB: "download", Platform.WECHAT: "link"}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def export_summary(document: dict[str, object], delivery: str) -> DataExport:
    """The counts the consumer reads in chat, from the export document."""
    identities = _list(document.get("identities"))
    cases = _list(document.get("complaints"))
    given = _list(document.get("consents"))
    messages = document.get("messages")
    if not isinstance(messages, dict):
        messages = {}
    files = sum(len(c.get("evidence") or []) for c in cases)
    files += len(messages.get("draft_evidence") or [])
    return DataExport(
        delivery=delivery,
        channels=tuple(dict.fromkeys(str(i["platform"]) for i in identities)),
        complaints=tuple((str(c["number"]), str(c["status"])) for c in cases),
        evidence=files,
        consents_given=len(given),
        consents_withdrawn=sum(1 for c in given if c.get("withdrawn_at")),
    )


async def run_data_command(
    session: AsyncSession,
    identity: Identity,
    command: Command,
    now: datetime,
    *,
    cipher: FieldCipher,
    links_signer: MyDataLinks | None,
) -> CommandResult:
    """Carry out one data-rights command for ``identity`` (and its link group only)."""
    owners = await links.group_members(session=session, identity_id=identity.id)
    if isinstance(command, ExportMyData):
        document = await my_data.export(
            session=session, cipher=cipher, identity_id=identity.id, now=now
        )
        delivery = DELIVERY.get(identity.platform, "text")
        if delivery == "link" and links_signer is None:
            delivery = "text"
        summary = export_summary(document, delivery)
        log.info("data export", extra={"identity": identity.id, "delivery": delivery})
        if delivery == "link" and links_signer is not None:
            url, expires = links_signer.url_for(identity.id, now)
            return replace(summary, link=url, link_expires=expires)
        return summary
    if isinstance(command, EraseMyData):
        erased = await erasure.erase_consumer(
            session=session, cipher=cipher, owners=owners, now=now
        )
        log.info("consumer data erased", extra={"identity": identity.id, **erased.counts()})
        return DataErased(
            closed_cases=erased.closed_cases,
            files=erased.files,
            open_cases=tuple(erased.open_numbers),
        )
    if isinstance(command, ListConsentCases):
        shared = await consents.withdrawable(session=session, owners=owners)
        return ConsentCases(tuple(c.number for c in shared))
    if isinstance(command, WithdrawConsent):
        found = await complaints.own_complaint(
            session=session, identity=identity, number=command.number, lock=True, owners=owners
        )
        if found is None or not await consents.withdraw(session=session, complaint=found, now=now):
            return Refused("not_found")
        log.info("consent withdrawn", extra={"number": found.number})
        return Done()
    raise TypeError(f"not a data command: {command!r}")
