"""entity mentions: the phones and addresses a record carries

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_mentions",
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "entity_type", "field", name=op.f("pk_entity_mentions")),
    )
    op.create_index(op.f("ix_entity_mentions_entity_id"), "entity_mentions", ["entity_id"])


def downgrade() -> None:
    op.drop_table("entity_mentions")
