"""hot lists: the version of the derivations that built them (a new one reads everything again) and a
count of the refreshes (a lane reloads when it moves)

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hotlist_state") as batch:
        batch.add_column(sa.Column("version", sa.Integer()))
        batch.add_column(sa.Column("generation", sa.BigInteger()))


def downgrade() -> None:
    with op.batch_alter_table("hotlist_state") as batch:
        batch.drop_column("generation")
        batch.drop_column("version")
