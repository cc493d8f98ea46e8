"""A changed row becomes a new version; history is immutable; an old file re-delivered changes nothing."""

from __future__ import annotations

import json

from sqlalchemy import select

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import parse_profile
from puente.store.schema import record_versions, records, source_rows
from tests.ingest.snapshot import snapshot
from tests.ingest.test_bad_input import GOOD, HEADER, PROFILE, write


def versions_of(db, record_id):
    with db.engine.connect() as conn:
        return conn.execute(
            select(
                record_versions.c.version,
                record_versions.c.canonical,
                record_versions.c.file_name,
                record_versions.c.row_number,
            )
            .where(record_versions.c.record_id == record_id)
            .order_by(record_versions.c.version)
        ).all()


def test_changed_row_becomes_a_new_version_and_old_file_is_not_a_revert(db, tmp_path):
    profile = parse_profile(PROFILE, "test-people")
    monday = write(tmp_path, "\n".join([HEADER, GOOD, "P2,Ana Ruiz,01/01/1990,,,,,,"]) + "\n", "monday.csv")
    tuesday = write(
        tmp_path,
        "\n".join([HEADER, GOOD.replace("899 123 4567", "899 765 4321"), "P2,Ana Ruiz,01/01/1990,,,,,,"])
        + "\n",
        "tuesday.csv",
    )
    first = ingest_file(db, monday, profile)
    assert (first.records_new, first.records_new_version) == (3, 0)
    second = ingest_file(db, tuesday, profile)
    assert (second.records_new, second.records_new_version, second.records_unchanged) == (0, 1, 2)
    history = versions_of(db, "MX/FGR:person:P1")
    assert [v.version for v in history] == [1, 2]
    assert json.loads(history[0].canonical)["phones"][0]["value"] == "+528991234567"
    assert json.loads(history[1].canonical)["phones"][0]["value"] == "+528997654321"
    assert [v.file_name for v in history] == ["monday.csv", "tuesday.csv"]
    with db.engine.connect() as conn:
        head = conn.execute(
            select(records.c.version, records.c.file_sha256).where(records.c.record_id == "MX/FGR:person:P1")
        ).one()
        kept = conn.execute(
            select(source_rows.c.raw).where(source_rows.c.row_number == 2).order_by(source_rows.c.file_sha256)
        ).all()
    assert head.version == 2
    assert len(kept) == 2  # the row as read in each file
    # Monday's export delivered again: the newer statement stands
    before = snapshot(db)
    again = ingest_file(db, monday, profile)
    assert (again.records_new, again.records_new_version) == (0, 0)
    assert snapshot(db) == before


def test_remarking_in_the_profile_is_a_new_version(db, tmp_path):
    path = write(tmp_path, "\n".join([HEADER, GOOD]) + "\n")
    ingest_file(db, path, parse_profile(PROFILE, "test-people"))
    widened = parse_profile(
        PROFILE.replace("releasable_to: [MX]", "releasable_to: [MX, US/ATF]"), "test-people"
    )
    report = ingest_file(db, path, widened)
    assert report.records_new_version == 2
    with db.engine.connect() as conn:
        markings = conn.execute(
            select(records.c.markings).where(records.c.record_id == "MX/FGR:person:P1")
        ).scalar()
    assert json.loads(markings)["releasable_to"] == ["MX", "US/ATF"]
    assert [v.version for v in versions_of(db, "MX/FGR:person:P1")] == [1, 2]


def test_provenance_points_to_the_row_as_read(db, tmp_path):
    import hashlib

    from puente.store.repository import Repository

    path = write(tmp_path, "\n".join([HEADER, GOOD]) + "\n", "feed.csv")
    report = ingest_file(db, path, parse_profile(PROFILE, "test-people"))
    with db.engine.connect() as conn:
        provenance, raw = Repository(conn).provenance("MX/FGR:person:P1")
    assert provenance.file_name == "feed.csv" and provenance.row_number == 2
    assert provenance.load_run_id == report.run_id and provenance.profile == "test-people"
    assert provenance.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert provenance.raw_sha256 == hashlib.sha256(raw.encode()).hexdigest()
    assert json.loads(raw)["NOMBRE"] == "José Luis Hernández Gómez"
    assert (
        db.blob_dir / provenance.file_sha256[:2] / provenance.file_sha256
    ).read_bytes() == path.read_bytes()
