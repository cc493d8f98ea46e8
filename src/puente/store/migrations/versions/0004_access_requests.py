"""access requests and the time-limited grants they make

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_requests",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("requester", sa.String(length=100), nullable=False),
        sa.Column("requester_agency", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
    )
    op.create_index(op.f("ix_access_requests_requester_status"), "access_requests", ["requester", "status"])
    op.create_index(op.f("ix_access_requests_owner_status"), "access_requests", ["owner", "status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_access_requests_owner_status"), table_name="access_requests")
    op.drop_index(op.f("ix_access_requests_requester_status"), table_name="access_requests")
    op.drop_table("access_requests")
