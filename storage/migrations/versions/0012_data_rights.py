"""data rights: erase on close, anonymised cases, legal holds, consents, blob erasures

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(
            sa.Column("erase_on_close", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("legal_hold_note", sa.Text(), nullable=True))
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("merchant_name", sa.String(length=200), nullable=True),
        sa.Column("merchant_id", sa.Integer(), nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"],
            name=op.f("fk_consents_complaint_id_complaints"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"], ["identities.id"],
            name=op.f("fk_consents_identity_id_identities"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(op.f("ix_consents_complaint_id"), "consents", ["complaint_id"])
    op.create_index(op.f("ix_consents_identity_id"), "consents", ["identity_id"])
    # Complaints filed before with consent to share get their consent row.
    op.execute(
        "INSERT INTO consents (identity_id, complaint_id, merchant_name, given_at) "
        "SELECT identity_id, id, merchant_name, filed_at FROM complaints "
        "WHERE consent_share = true"
    )
    op.create_table(
        "blob_erasures",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_blob_erasures")),
    )


def downgrade() -> None:
    op.drop_table("blob_erasures")
    op.drop_index(op.f("ix_consents_identity_id"), table_name="consents")
    op.drop_index(op.f("ix_consents_complaint_id"), table_name="consents")
    op.drop_table("consents")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("legal_hold_note")
        batch.drop_column("legal_hold")
        batch.drop_column("anonymised_at")
        batch.drop_column("erase_on_close")
