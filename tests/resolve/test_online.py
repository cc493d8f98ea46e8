"""Online matching: a new record joins its person's entity at once, with the batch's rules; the
one-record comparison is the batch's, exactly."""

from __future__ import annotations

import numpy as np
import polars as pl
from sqlalchemy import select

from puente.resolve.batch import person_frame, resolve_persons
from puente.resolve.compare import blocking_keys, candidate_pairs, compare_pair, levels, record_keys
from puente.resolve.model import Model
from puente.resolve.online import OnlineMatcher, matcher, resolve_new
from puente.store.schema import entity_links, entity_members
from tests.resolve.test_batch import load_world, world
from tests.resolve.test_review import load

__all__ = ["world"]


def test_one_record_comparison_and_keys_equal_the_columnar_ones(db, world):
    load_world(db, world)
    f = person_frame(db)
    rng = np.random.default_rng(5)
    random_pairs = pl.DataFrame({"i": rng.integers(0, f.height, 3000), "j": rng.integers(0, f.height, 3000)})
    pairs = pl.concat([candidate_pairs(f), random_pairs])
    observed = levels(f, pairs)
    rows = f.to_dicts()
    for k, (i, j) in enumerate(pairs.iter_rows()):
        assert compare_pair(rows[i], rows[j]) == observed[k].tolist(), (rows[i], rows[j])
    keys: dict[int, set[str]] = {}
    for frame in blocking_keys(f):
        for key, i in frame.collect().iter_rows():
            keys.setdefault(i, set()).add(key)
    assert all(record_keys(row) == keys.get(i, set()) for i, row in enumerate(rows))
    # the matcher's index, built by column, is the one the record-by-record keys give
    index: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        for key in record_keys(row):
            index.setdefault(key, []).append(i)
    online = OnlineMatcher(f, [None] * f.height, Model(m=[], u=[], prior=0.5))
    assert online.index == index and online.rows[7] == rows[7] and len(online.rows) == len(rows)


def test_a_new_record_joins_its_persons_entity_at_once(db, tmp_path, world):
    load_world(db, world)  # a world to fit the model on
    load(db, tmp_path)
    resolve_persons(db)
    online = matcher(db)
    assert online is not None
    doc = {"name": {"given_key": "JOSE LUIS", "paternal_key": "HERNANDEZ", "maternal_key": "GOMEZ"},
           "birth_date": "1988-03-04", "curp": {"value": "HEGL880304HTSRMS05"}}  # fmt: skip
    found = online.match(doc, "US/HSI:person:H1", "US/HSI")
    with db.engine.connect() as conn:
        fgr = conn.execute(select(entity_members.c.entity_id).where(
            entity_members.c.record_id == "MX/FGR:person:F1")).scalar()  # fmt: skip
    assert found.entity_id == fgr and "same CURP" in found.why_en and "misma CURP" in found.why_es
    zoe = {"name": {"given_key": "ZOE", "paternal_key": "QUIRARTE"}, "birth_date": "2001-01-01"}
    stranger = online.match(zoe, "US/HSI:person:H2", "US/HSI")
    assert stranger.entity_id is None


def test_records_loaded_after_a_resolution_are_matched_and_linked(db, tmp_path, world):
    load_world(db, world)
    load(db, tmp_path)
    resolve_persons(db)
    from puente.ingest.pipeline import ingest_file
    from puente.ingest.profiles import parse_profile
    from tests.ingest.test_bad_input import write
    from tests.resolve.test_review import PROFILE

    profile = PROFILE.format(agency="US/HSI", agency_slug="us-hsi", releasable="[US]")
    text = (
        "ID,NAME,DOB,CURP\nH1,José Luis Hernández Gómez,1988-03-04,HEGL880304HTSRMS05\n"
        "H2,Zoe Quirarte,2001-01-01,\n"
    )
    ingest_file(db, write(tmp_path, text, "hsi.csv"), parse_profile(profile, "people-us-hsi"))
    found = {m.record_id: m for m in resolve_new(db)}
    assert set(found) == {"US/HSI:person:H1", "US/HSI:person:H2"}
    assert found["US/HSI:person:H1"].entity_id is not None and found["US/HSI:person:H2"].entity_id is None
    with db.engine.connect() as conn:
        ids = dict(conn.execute(select(entity_members.c.record_id, entity_members.c.entity_id)).all())
        h1 = "US/HSI:person:H1"
        linked = conn.execute(
            select(entity_links).where((entity_links.c.record_a == h1) | (entity_links.c.record_b == h1))
        ).all()
    assert ids["US/HSI:person:H1"] == ids["MX/FGR:person:F1"] and linked
    assert ids["US/HSI:person:H2"] not in {e for r, e in ids.items() if r != "US/HSI:person:H2"}
    assert resolve_new(db) == []  # nothing new: nothing done
