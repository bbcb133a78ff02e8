"""platform rules: short push windows, notice consents, rejection reasons

Revision ID: 0007
Revises: 0010
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("last_interaction_at", sa.DateTime(timezone=True),
                                   nullable=True))
        # A server default: identities are also inserted by raw SQL on the hot path.
        batch.add_column(sa.Column("pushes_since_interaction", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("notice_consents", sa.JSON(), nullable=True))
    with op.batch_alter_table("complaint_events") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint_events") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("notice_consents")
        batch.drop_column("pushes_since_interaction")
        batch.drop_column("last_interaction_at")
