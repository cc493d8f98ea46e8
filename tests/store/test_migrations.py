"""Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from puente.store import connect
from puente.store.schema import metadata


def test_migrated_schema_matches_the_declared_one(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert db.is_initialised()


def test_upgrade_twice_is_harmless(db):
    db.upgrade()
    assert set(inspect(db.engine).get_table_names()) >= {
        "records",
        "record_versions",
        "quarantine",
        "load_runs",
        "source_files",
    }


def test_sqlite_runs_in_wal_mode(tmp_path):
    db = connect(f"sqlite:///{tmp_path / 'p.db'}")
    db.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_default_url_lives_under_the_data_dir(tmp_path, monkeypatch):
    from puente.store.db import default_database_url

    monkeypatch.delenv("PUENTE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PUENTE_DATA_DIR", str(tmp_path / "d"))
    assert default_database_url() == f"sqlite:///{tmp_path / 'd' / 'puente.db'}"
    monkeypatch.setenv("PUENTE_DATABASE_URL", "postgresql://x@h/db")
    assert default_database_url() == "postgresql://x@h/db"


def test_unsupported_database_is_refused():
    import pytest

    with pytest.raises(ValueError, match="unsupported"):
        connect("mysql://root@localhost/x")
