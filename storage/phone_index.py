"""Fill the phone search index of complaints filed before it existed.

The migration cannot compute it (the key comes from ``WEIQUAN_SECRET_KEY``, which
Alembic never sees), so each process fills the missing ones at startup, in small
batches; with two replicas both may do a batch, which writes the same values.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from storage.crypto import DecryptionError, FieldCipher
from storage.db import Database
from storage.models import Complaint

log = logging.getLogger("weiquan.phone_index")
BATCH = 200


async def fill_missing(database: Database, cipher: FieldCipher, *, limit: int = 100_000) -> int:
    """Index every complaint with a phone and no index yet; how many were filled."""
    filled = 0
    last_id = 0
    while filled < limit:
        async with database.transaction() as session:
            rows = list(
                await session.scalars(
                    select(Complaint)
                    .where(
                        Complaint.phone_hash.is_(None),
                        Complaint.contact_phone_enc.is_not(None),
                        Complaint.id > last_id,
                    )
                    .order_by(Complaint.id)
                    .limit(BATCH)
                )
            )
            if not rows:
                break
            for complaint in rows:
                last_id = complaint.id
                try:
                    phone = cipher.decrypt(complaint.contact_phone_enc)
                except DecryptionError:
                    continue  # another key: it stays unsearchable by phone
                complaint.phone_hash = cipher.phone_index(phone)
                filled += 1
    if filled:
        log.info("phone_index.filled", extra={"rows": filled})
    return filled
