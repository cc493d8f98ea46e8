"""analysts' match decisions and the review queue

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_decisions",
        sa.Column("record_a", sa.String(length=400), nullable=False),
        sa.Column("record_b", sa.String(length=400), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("record_a", "record_b", name=op.f("pk_match_decisions")),
    )
    op.create_index(op.f("ix_match_decisions_record_b"), "match_decisions", ["record_b"])
    op.create_table(
        "review_pairs",
        sa.Column("record_a", sa.String(length=400), nullable=False),
        sa.Column("record_b", sa.String(length=400), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("levels", sa.String(length=100), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("record_a", "record_b", name=op.f("pk_review_pairs")),
    )


def downgrade() -> None:
    op.drop_table("review_pairs")
    op.drop_table("match_decisions")
