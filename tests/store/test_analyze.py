"""Planner statistics after bulk writes: renewed on PostgreSQL, nothing to do on SQLite."""

from __future__ import annotations

from sqlalchemy import text


def test_analyze_renews_the_statistics_of_grown_tables(db):
    db.analyze("records", "record_versions", "search_terms")  # harmless on an empty store
    if db.dialect != "postgresql":
        return
    with db.engine.connect() as conn:
        analyzed = (
            conn.execute(text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"))
            .scalars()
            .all()
        )
    assert {"records", "record_versions", "search_terms"} <= set(analyzed)


def test_a_large_load_and_a_large_index_refresh_renew_them(db, monkeypatch):
    from puente.ingest import pipeline
    from puente.ingest.profiles import load_profile
    from puente.samples import sample_files
    from puente.search import index

    monkeypatch.setattr(pipeline, "ANALYZE_AFTER", 1)  # the samples stand for a large load
    monkeypatch.setattr(index, "ANALYZE_AFTER", 1)
    asked: list[tuple[str, ...]] = []
    renew = db.analyze
    monkeypatch.setattr(db, "analyze", lambda *tables: (asked.append(tables), renew(*tables)))
    path, profile = sample_files()[0]
    pipeline.renew_statistics(db, [pipeline.ingest_file(db, path, load_profile(profile))])
    index.refresh(db)
    assert ("records", "record_versions", "source_rows") in asked
    assert ("search_terms", "search_docs") in asked
