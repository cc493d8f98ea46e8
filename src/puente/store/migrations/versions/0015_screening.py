"""screening: the hot lists, their watermark, and the hits officers were shown

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "hotlist",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fuzzy", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=10)),
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("disclosure", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("since", sa.String(length=10)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotlist")),
    )
    op.create_index(op.f("ix_hotlist_record_id"), "hotlist", ["record_id"])
    op.create_table(
        "hotlist_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("run_id", sa.BigInteger()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotlist_state")),
    )
    op.create_table(
        "screen_hits",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("port", sa.String(length=40)),
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("match", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20)),
        sa.Column("action_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen_hits")),
    )
    op.create_index(op.f("ix_screen_hits_reason_action"), "screen_hits", ["reason", "action"])


def downgrade() -> None:
    for table in ("screen_hits", "hotlist_state", "hotlist"):
        op.drop_table(table)
