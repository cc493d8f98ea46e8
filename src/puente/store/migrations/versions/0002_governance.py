"""principals and the hash-chained audit log

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "principals",
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nation", sa.String(length=2), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("task_forces", sa.Text(), nullable=False),
        sa.Column("cases", sa.Text(), nullable=False),
        sa.Column("certificates", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_principals")),
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )

    op.create_table(
        "marking_sets",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("markings", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_sets")),
        sa.UniqueConstraint("sha256", name=op.f("uq_marking_sets_sha256")),
    )
    op.create_table(
        "marking_grants",
        sa.Column("marking_set_id", sa.BigInteger(), nullable=False),
        sa.Column("grantee", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("marking_set_id", "grantee", name=op.f("pk_marking_grants")),
    )
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("marking_set_id", sa.BigInteger(), nullable=True))
        batch.create_index(op.f("ix_records_marking_set_id"), ["marking_set_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_index(op.f("ix_records_marking_set_id"))
        batch.drop_column("marking_set_id")
    op.drop_table("marking_grants")
    op.drop_table("marking_sets")
    op.drop_table("audit_log")
    op.drop_table("principals")
