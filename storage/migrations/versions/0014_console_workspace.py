"""case presence (who has a case open in the console) and the phone search index

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_presence",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("complaint_id", "staff_id"),
    )
    op.create_index("ix_case_presence_seen_at", "case_presence", ["seen_at"])
    # Filled at filing; older rows are filled at startup (the key is not known here).
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
    op.create_index("ix_complaints_phone_hash", "complaints", ["phone_hash"])


def downgrade() -> None:
    op.drop_index("ix_complaints_phone_hash", table_name="complaints")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("phone_hash")
    op.drop_index("ix_case_presence_seen_at", table_name="case_presence")
    op.drop_table("case_presence")
