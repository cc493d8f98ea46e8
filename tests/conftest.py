"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL (127.0.0.1:5432).

PostgreSQL databases are cloned from a template migrated once per test session, which keeps a
fresh database per test cheap. PUENTE_TEST_POSTGRES_URL points at the server's admin database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from puente.store import Database, connect

ADMIN_URL = os.environ.get(
    "PUENTE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_TEMPLATE = f"puente_tmpl_{os.getpid()}"


def _admin():
    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    admin = _admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE}"'))
            conn.execute(text(f'CREATE DATABASE "{_TEMPLATE}"'))
    except Exception as exc:  # a clear failure, never a silent skip: CI starts the server
        pytest.fail(f"PostgreSQL is not reachable at {make_url(ADMIN_URL).render_as_string()}: {exc}")
    url = make_url(ADMIN_URL).set(database=_TEMPLATE).render_as_string(hide_password=False)
    db = connect(url)
    db.upgrade()
    db.dispose()
    yield _TEMPLATE
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE}" WITH (FORCE)'))
    admin.dispose()


def make_postgres(template: str, blob_dir: Path) -> tuple[Database, str]:
    name = f"puente_t_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return connect(url, blob_dir=blob_dir), name


def drop_postgres(name: str) -> None:
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database of each engine."""
    if request.param == "sqlite":
        database = connect(f"sqlite:///{tmp_path / 'puente.db'}", blob_dir=tmp_path / "files")
        database.upgrade()
        yield database
        database.dispose()
    else:
        template = request.getfixturevalue("pg_template")
        database, name = make_postgres(template, tmp_path / "files")
        yield database
        database.dispose()
        drop_postgres(name)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = connect(f"sqlite:///{tmp_path / 'puente.db'}", blob_dir=tmp_path / "files")
    database.upgrade()
    yield database
    database.dispose()
