"""deconfliction: planned operations, and what each agency was told of overlaps and shared targets

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "operations",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("marking_set_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations")),
    )
    op.create_index(op.f("ix_operations_status_ends_at"), "operations", ["status", "ends_at"])
    op.create_table(
        "deconfliction_alerts",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("own_ref", sa.String(length=400), nullable=False),
        sa.Column("other_agency", sa.String(length=40), nullable=False),
        sa.Column("other_ref", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconfliction_alerts")),
        sa.UniqueConstraint(
            "kind",
            "agency",
            "own_ref",
            "other_ref",
            name=op.f("uq_deconfliction_alerts_kind_agency_own_ref_other_ref"),
        ),
    )
    op.create_index(op.f("ix_deconfliction_alerts_agency"), "deconfliction_alerts", ["agency"])


def downgrade() -> None:
    op.drop_table("deconfliction_alerts")
    op.drop_table("operations")
