"""dedupe keyed per consumer; delivery state of pushed replies

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00

The dedupe key becomes (platform, identity, message key): a message id chosen by one
consumer's client must never reach another consumer's stored replies. Rows without an
identity cannot be scoped and are dropped (dedupe rows are only kept for days anyway).

``delivery`` and ``claimed_until`` record whether pushed replies (Telegram) went out,
so a redelivered update is answered at most once.

Drafts and stored replies are encrypted by the application from now on; rows written
before hold plain JSON, which the application still reads, so no data is rewritten here
(the migration has no access to the secret key).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = "pk_processed_messages"


def upgrade() -> None:
    op.execute("DELETE FROM processed_messages WHERE identity_id IS NULL")
    with op.batch_alter_table("processed_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint(PK, type_="primary")
        batch_op.alter_column("identity_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_primary_key(PK, ["platform", "identity_id", "message_key"])


def downgrade() -> None:
    # Two consumers may share a message key by now; keep one row per old key.
    op.execute(
        "DELETE FROM processed_messages WHERE EXISTS (SELECT 1 FROM processed_messages o "
        "WHERE o.platform = processed_messages.platform "
        "AND o.message_key = processed_messages.message_key "
        "AND o.identity_id < processed_messages.identity_id)"
    )
    with op.batch_alter_table("processed_messages", schema=None) as batch_op:
        batch_op.drop_constraint(PK, type_="primary")
        batch_op.alter_column("identity_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_primary_key(PK, ["platform", "message_key"])
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("delivery")
