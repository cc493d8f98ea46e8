"""leads: routed leads and their history, webhooks, the outbox, and search interest

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("target_ref", sa.String(length=400), nullable=False),
        sa.Column("source_record_id", sa.String(length=400), nullable=False),
        sa.Column("source_owner", sa.String(length=40), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("task_force", sa.String(length=100), nullable=False),
        sa.Column("agent", sa.String(length=200)),
        sa.Column("assignee", sa.String(length=100)),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20)),
        sa.Column("source_day", sa.String(length=10)),
        sa.Column("arrived_at", Moment),
        sa.Column("due_at", Moment, nullable=False),
        sa.Column("escalated_at", Moment),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("actioned_at", Moment),
        sa.Column("closed_at", Moment),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint(
            "rule",
            "recipient",
            "target_ref",
            "source_record_id",
            name=op.f("uq_leads_rule_recipient_target_ref_source_record_id"),
        ),  # fmt: skip
    )
    op.create_index(op.f("ix_leads_recipient_status"), "leads", ["recipient", "status"])
    op.create_table(
        "lead_events",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("lead_id", sa.BigInteger(), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_events")),
    )
    op.create_index(op.f("ix_lead_events_recipient_id"), "lead_events", ["recipient", "id"])
    op.create_index(op.f("ix_lead_events_lead_id"), "lead_events", ["lead_id"])
    op.create_table(
        "webhooks",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("destination", sa.String(length=500), nullable=False),
        sa.Column("lead_event_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Moment, nullable=False),
        sa.Column("delivered_at", Moment),
        sa.Column("last_error", sa.String(length=500)),
        sa.Column("created_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint(
            "channel",
            "destination",
            "lead_event_id",
            name=op.f("uq_outbox_channel_destination_lead_event_id"),
        ),
    )
    op.create_index(
        op.f("ix_outbox_delivered_at_next_attempt_at"), "outbox", ["delivered_at", "next_attempt_at"]
    )
    op.create_table(
        "search_interest",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_interest")),
    )
    op.create_index(op.f("ix_search_interest_record_id"), "search_interest", ["record_id"])


def downgrade() -> None:
    for table in ("search_interest", "outbox", "webhooks", "lead_events", "leads"):
        op.drop_table(table)
