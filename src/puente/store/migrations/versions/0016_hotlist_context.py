"""hot lists: the record an entry comes by (a wanted person's case, a flagged vehicle's evidence)

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hotlist") as batch:
        batch.add_column(sa.Column("context", sa.String(length=400)))


def downgrade() -> None:
    with op.batch_alter_table("hotlist") as batch:
        batch.drop_column("context")
