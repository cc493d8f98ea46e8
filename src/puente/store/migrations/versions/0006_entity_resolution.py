"""entity resolution: runs, members, links and events

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "resolution_runs",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("pairs", sa.BigInteger(), nullable=False),
        sa.Column("entities", sa.BigInteger(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution_runs")),
    )
    op.create_table(
        "entity_members",
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_entity_members")),
    )
    op.create_index(op.f("ix_entity_members_entity_id"), "entity_members", ["entity_id"])
    op.create_table(
        "entity_links",
        sa.Column("record_a", sa.String(length=400), nullable=False),
        sa.Column("record_b", sa.String(length=400), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("levels", sa.String(length=100), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("record_a", "record_b", name=op.f("pk_entity_links")),
    )
    op.create_index(op.f("ix_entity_links_record_b"), "entity_links", ["record_b"])
    op.create_table(
        "entity_events",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_events")),
    )


def downgrade() -> None:
    op.drop_table("entity_events")
    op.drop_table("entity_links")
    op.drop_table("entity_members")
    op.drop_table("resolution_runs")
