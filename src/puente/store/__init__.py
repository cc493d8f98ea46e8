"""Storage: schema, migrations and repositories on SQLite (embedded) and PostgreSQL."""

from puente.store.db import Database, connect, default_database_url

__all__ = ["Database", "connect", "default_database_url"]
