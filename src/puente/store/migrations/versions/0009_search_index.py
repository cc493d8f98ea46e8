"""search index: the terms each record is found by, and its title and filters

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_docs",
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("day", sa.String(length=10)),
        sa.Column("port", sa.String(length=40)),
        sa.Column("state", sa.String(length=10)),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_search_docs")),
    )
    op.create_index(op.f("ix_search_docs_record_type_day"), "search_docs", ["record_type", "day"])
    term = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")
    op.create_table(
        "search_terms",
        sa.Column("term", term, nullable=False),
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("term", "record_id", name=op.f("pk_search_terms")),
    )
    op.create_index(op.f("ix_search_terms_record_id"), "search_terms", ["record_id"])


def downgrade() -> None:
    op.drop_table("search_terms")
    op.drop_table("search_docs")
