"""merchants, merchant logins, forwarded cases, consents, offers and settlements

Revision ID: 0011
Revises: 0012
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

TZDateTime = sa.DateTime(timezone=True)

revision: str = "0011"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merchants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("address", sa.String(500), nullable=True),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("odr", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchants")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_merchants_credit_code")),
    )
    op.create_index(op.f("ix_merchants_name_key"), "merchants", ["name_key"])
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("merchant_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_staff_merchant_id_merchants"), "merchants", ["merchant_id"], ["id"]
        )
        batch.create_index(op.f("ix_staff_merchant_id"), ["merchant_id"])
    op.create_table(
        "merchant_cases",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", TZDateTime, nullable=False),
        sa.Column("linked_by", sa.String(100), nullable=False),
        sa.Column("forwarded_at", TZDateTime, nullable=True),
        sa.Column("forward_note", sa.Text(), nullable=True),
        sa.Column("answer_due", sa.Date(), nullable=True),
        sa.Column("answered_at", TZDateTime, nullable=True),
        sa.Column("taken_back_at", TZDateTime, nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_merchant_cases_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_merchant_cases_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_merchant_cases")),
    )
    op.create_index(op.f("ix_merchant_cases_merchant_id"), "merchant_cases", ["merchant_id"])
    op.create_index(op.f("ix_merchant_cases_forwarded_at"), "merchant_cases", ["forwarded_at"])
    op.create_table(
        "merchant_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("at", TZDateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_merchant_consents_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_merchant_consents_merchant_id_merchants"),
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_merchant_consents_identity_id_identities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_consents")),
    )
    op.create_index(
        "ix_merchant_consents_case", "merchant_consents", ["complaint_id", "merchant_id"]
    )
    op.create_table(
        "merchant_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("made_by", sa.String(100), nullable=False),
        sa.Column("created_at", TZDateTime, nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("answered_at", TZDateTime, nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_merchant_offers_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_merchant_offers_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_offers")),
    )
    op.create_index(op.f("ix_merchant_offers_complaint_id"), "merchant_offers", ["complaint_id"])
    op.create_table(
        "settlements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fulfil_by", sa.Date(), nullable=False),
        sa.Column("agreed_at", TZDateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_settlements_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["merchant_offers.id"],
            name=op.f("fk_settlements_offer_id_merchant_offers"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_settlements_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_settlements_offer_id")),
    )
    op.create_index(op.f("ix_settlements_complaint_id"), "settlements", ["complaint_id"])


def downgrade() -> None:
    op.drop_table("settlements")
    op.drop_table("merchant_offers")
    op.drop_table("merchant_consents")
    op.drop_table("merchant_cases")
    with op.batch_alter_table("staff") as batch:
        batch.drop_index(op.f("ix_staff_merchant_id"))
        batch.drop_constraint(op.f("fk_staff_merchant_id_merchants"), type_="foreignkey")
        batch.drop_column("merchant_id")
    op.drop_table("merchants")
