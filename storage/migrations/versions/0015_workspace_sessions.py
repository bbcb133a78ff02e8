"""staff session epoch: a password reset, a role change or a deactivation ends the
account's open console sessions and API tokens

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Tokens and cookies issued before carry no epoch and count as 0: they stay valid
    # until the account's first reset, role change or deactivation.
    with op.batch_alter_table("staff") as batch:
        batch.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("session_epoch")
