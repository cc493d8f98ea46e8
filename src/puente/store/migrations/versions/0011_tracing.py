"""tracing: acquisitions by serial and make, the traces of recovered firearms, their events, and
how far the catalogue is level with the loads

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "trace_acquisitions",
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("serial_key", sa.String(length=200), nullable=False),
        sa.Column("make", sa.String(length=60)),
        sa.Column("sold_on", sa.String(length=10)),
        sa.Column("dealer_licence", sa.String(length=200)),
        sa.Column("dealer_name", sa.String(length=200)),
        sa.Column("dealer_state", sa.String(length=10)),
        sa.Column("purchaser_id", sa.String(length=400)),
        sa.Column("multiple_sale", sa.Boolean(), nullable=False),
        sa.Column("firearm", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_trace_acquisitions")),
    )
    op.create_index(
        op.f("ix_trace_acquisitions_serial_key_make"), "trace_acquisitions", ["serial_key", "make"]
    )
    op.create_index(op.f("ix_trace_acquisitions_dealer_licence"), "trace_acquisitions", ["dealer_licence"])
    op.create_table(
        "traces",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(length=400), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("requester", sa.String(length=100), nullable=False),
        sa.Column("requester_agency", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40)),
        sa.Column("serial_key", sa.String(length=200)),
        sa.Column("make", sa.String(length=60)),
        sa.Column("recovered_on", sa.String(length=10)),
        sa.Column("recovery_state", sa.String(length=10)),
        sa.Column("acquisition_id", sa.String(length=400)),
        sa.Column("purchaser_id", sa.String(length=400)),
        sa.Column("purchaser_key", sa.String(length=400)),
        sa.Column("possessor_id", sa.String(length=400)),
        sa.Column("dealer_licence", sa.String(length=200)),
        sa.Column("dealer_state", sa.String(length=10)),
        sa.Column("purchased_on", sa.String(length=10)),
        sa.Column("time_to_crime_days", sa.Integer()),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("result", sa.Text()),
        sa.Column("marking_set_id", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traces")),
        sa.UniqueConstraint(
            "source_id", "item", "requester_agency", name=op.f("uq_traces_source_id_item_requester_agency")
        ),
    )
    op.create_index(op.f("ix_traces_purchaser_key"), "traces", ["purchaser_key"])
    op.create_index(op.f("ix_traces_status"), "traces", ["status"])
    op.create_table(
        "trace_events",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("trace_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=400), nullable=False),
        sa.Column("subject_id", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("marking_set_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_events")),
        sa.UniqueConstraint(
            "trace_id",
            "kind",
            "case_id",
            "subject_id",
            name=op.f("uq_trace_events_trace_id_kind_case_id_subject_id"),
        ),
    )

    state = op.create_table(
        "trace_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("run_id", sa.BigInteger()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_state")),
    )
    op.bulk_insert(state, [{"id": 1, "run_id": None}])


def downgrade() -> None:
    op.drop_table("trace_state")
    op.drop_table("trace_events")
    op.drop_table("traces")
    op.drop_table("trace_acquisitions")
