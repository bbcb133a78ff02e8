"""clocks per request type, deadline extensions, daily complaint numbers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "number_sequences",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_number_sequences")),
    )
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("mediation_due", sa.Date(), nullable=True))
        batch.add_column(sa.Column("decision_due", sa.Date(), nullable=True))
        batch.add_column(sa.Column("answer_due", sa.Date(), nullable=True))
        batch.add_column(sa.Column("deadline_extensions", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("provisional_deadlines", sa.JSON(), nullable=True))
    # Reports and consultations filed before had the complaint's clocks; their first
    # deadline becomes the clock of their own type (kept as it was: never later).
    op.execute(
        "UPDATE complaints SET decision_due = accept_due, accept_due = NULL, "
        "resolve_due = NULL WHERE type = 'report'"
    )
    op.execute(
        "UPDATE complaints SET answer_due = accept_due, accept_due = NULL, "
        "resolve_due = NULL WHERE type IN ('consultation', 'suggestion')"
    )


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("provisional_deadlines")
        batch.drop_column("deadline_extensions")
        batch.drop_column("answer_due")
        batch.drop_column("decision_due")
        batch.drop_column("mediation_due")
    op.drop_table("number_sequences")
