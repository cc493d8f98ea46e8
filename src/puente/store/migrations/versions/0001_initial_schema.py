"""initial schema

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "quarantine",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sheet", sa.String(length=200), nullable=False),
        sa.Column("row_number", sa.BigInteger(), nullable=False),
        sa.Column("profile", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("load_run_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=True),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("reason_es", sa.Text(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resolved_run_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
        sa.UniqueConstraint(
            "file_sha256",
            "profile",
            "sheet",
            "row_number",
            name=op.f("uq_quarantine_file_sha256_profile_sheet_row_number"),
        ),
    )
    op.create_index(op.f("ix_quarantine_owner_status"), "quarantine", ["owner", "status"], unique=False)
    op.create_table(
        "record_versions",
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("markings", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sheet", sa.String(length=200), nullable=False),
        sa.Column("row_number", sa.BigInteger(), nullable=False),
        sa.Column("profile", sa.String(length=200), nullable=False),
        sa.Column("load_run_id", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "version", name=op.f("pk_record_versions")),
    )
    op.create_table(
        "records",
        sa.Column("record_id", sa.String(length=400), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("owner_nation", sa.String(length=2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("markings", sa.Text(), nullable=False),
        sa.Column("disclosure", sa.String(length=20), nullable=False),
        sa.Column("originator_controlled", sa.Boolean(), nullable=False),
        sa.Column("load_run_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_records")),
    )
    op.create_table(
        "source_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("blob_path", sa.String(length=1000), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_source_files")),
    )
    op.create_table(
        "source_rows",
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("sheet", sa.String(length=200), nullable=False),
        sa.Column("row_number", sa.BigInteger(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("file_sha256", "sheet", "row_number", name=op.f("pk_source_rows")),
    )
    op.create_table(
        "load_runs",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("profile", sa.String(length=200), nullable=False),
        sa.Column("profile_sha256", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_read", sa.BigInteger(), nullable=False),
        sa.Column("records_new", sa.BigInteger(), nullable=False),
        sa.Column("records_new_version", sa.BigInteger(), nullable=False),
        sa.Column("records_unchanged", sa.BigInteger(), nullable=False),
        sa.Column("rows_duplicate", sa.BigInteger(), nullable=False),
        sa.Column("rows_quarantined", sa.BigInteger(), nullable=False),
        sa.Column("checkpoint", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["file_sha256"], ["source_files.sha256"], name=op.f("fk_load_runs_file_sha256_source_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_runs")),
    )
    op.create_index(
        op.f("ix_load_runs_file_sha256_profile"), "load_runs", ["file_sha256", "profile"], unique=False
    )


def downgrade() -> None:

    op.drop_index(op.f("ix_load_runs_file_sha256_profile"), table_name="load_runs")
    op.drop_table("load_runs")
    op.drop_table("source_rows")
    op.drop_table("source_files")
    op.drop_table("records")
    op.drop_table("record_versions")
    op.drop_index(op.f("ix_quarantine_owner_status"), table_name="quarantine")
    op.drop_table("quarantine")
