"""Search: Spanish and English names, aliases, identifiers whole and in part, filters, reasons in
both languages, pointers, and nothing hidden showing; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, true

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile, parse_profile
from puente.policy import access, audit
from puente.policy.access import Refused
from puente.resolve.batch import resolve_persons, resolve_things
from puente.samples import sample_files
from puente.search import Filters, refresh, search
from puente.search.query import tokens
from puente.store.schema import audit_log, search_docs, search_terms
from tests.ingest.test_bad_input import write
from tests.policy.test_access import ATF, CANARY, CBP, FGR, GN, PURPOSE, seed_canary

# HSI's subjects: a "Pepe" (José, or José Luis) and an anglicised Vázquez; released to the US only,
# with a pointer for others.
SUBJECTS = """
name: hsi-subjects
title: {en: HSI subjects, es: Sujetos de HSI}
agency: US/HSI
format: csv
date_order: ISO
markings: {releasable_to: [US], disclosure: pointer}
records:
  - type: person
    id: "{ID}"
    fields:
      name.given_names: GIVEN
      name.paternal_surname: LAST
      name.maternal_surname: LAST2
      birth_date: DOB
      curp: CURP
      phones[0]: PHONE
"""
SUBJECT_ROWS = (
    "ID,GIVEN,LAST,LAST2,DOB,CURP,PHONE\n"
    "S-1,Pepe,Hernández,,1988-03-04,,+1 956 555 0142\n"
    "S-2,Javier,Vasquez,,1979-11-30,,\n"
)


@pytest.fixture
def world(db, tmp_path):
    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    ingest_file(db, write(tmp_path, SUBJECT_ROWS, "subjects.csv"), parse_profile(SUBJECTS, "hsi-subjects"))
    seed_canary(db, tmp_path)
    resolve_persons(db)
    resolve_things(db, "firearm")
    refresh(db)
    return db


def ids(result):
    return {m.record_id for h in result.hits for m in h.matches}


def test_a_spanish_name_typed_without_accents_finds_it_and_its_short_forms(world):
    found = search(world, ATF, "jose luis hernandez", PURPOSE)
    assert "MX/FGR:person:FGR-TAM-2023-0117-1" in ids(found)  # José Luis Hernández Gómez
    assert "US/HSI:person:S-1" in ids(found)  # Pepe Hernández: a short form of José Luis
    best = found.hits[0].matches[0]
    assert best.record_id == "MX/FGR:person:FGR-TAM-2023-0117-1"  # the whole name beats a short form
    pepe = next(m for h in found.hits for m in h.matches if m.record_id == "US/HSI:person:S-1")
    assert any("short" in r.en and "hipocorístico" in r.es for r in pepe.reasons)
    assert pepe.score < best.score


def test_sound_alike_and_misspelt_surnames(world):
    found = search(world, ATF, "javier vazquez", PURPOSE)
    hit = next(m for h in found.hits for m in h.matches if m.record_id == "US/HSI:person:S-2")
    assert any("sounds alike" in r.en and "suena igual" in r.es for r in hit.reasons)
    typo = search(world, ATF, "Hernadez Gomez", PURPOSE)  # a letter dropped
    assert "MX/FGR:person:FGR-TAM-2023-0117-1" in ids(typo)


@pytest.mark.parametrize(
    "query",
    ["HEGJ880304HCHRML07", "hegj880304", "1-AB4512-19", "ab451219", "4512-19", "899 123 4567", "8991234567"],
)
def test_identifiers_whole_and_in_part(world, query):
    found = search(world, FGR, query, PURPOSE)
    assert ids(found) & {"MX/FGR:person:FGR-TAM-2023-0117-1", "MX/FGR:seizure:FGR-TAM-2023-0117"}, query
    reasons = [r.en for h in found.hits for m in h.matches for r in m.reasons]
    assert any("identifier" in r for r in reasons)


def test_filters_narrow_what_is_found(world):
    every = ids(search(world, ATF, "1-AB4512-19", PURPOSE, limit=100))
    assert "MX/FGR:seizure:FGR-TAM-2023-0117" in every
    only_people = ids(
        search(world, ATF, "jose luis hernandez", PURPOSE, filters=Filters(record_type="person"))
    )
    assert only_people and all(":person:" in r for r in only_people)
    mexican = ids(search(world, ATF, "jose luis hernandez", PURPOSE, filters=Filters(nation="MX")))
    assert mexican and all(r.startswith("MX/") for r in mexican)
    by_owner = ids(search(world, ATF, "jose luis hernandez", PURPOSE, filters=Filters(owner="US/HSI")))
    assert "US/HSI:person:S-1" in by_owner and all(r.startswith("US/HSI:") for r in by_owner)
    in_2023 = Filters(date_from="2023-02-01", date_to="2023-02-28", state="MX-TAM")
    assert "MX/FGR:seizure:FGR-TAM-2023-0117" in ids(
        search(world, FGR, "1-AB4512-19", PURPOSE, filters=in_2023)
    )
    before = Filters(date_to="2022-12-31")
    assert "MX/FGR:seizure:FGR-TAM-2023-0117" not in ids(
        search(world, FGR, "1-AB4512-19", PURPOSE, filters=before)
    )


def test_a_hidden_record_is_a_pointer_where_its_marking_allows_and_nothing_where_not(world):
    mexican = search(world, FGR, "pepe hernandez", PURPOSE)
    assert "US/HSI:person:S-1" not in ids(mexican)
    pointer = next(p for p in mexican.pointers if p.record_id == "US/HSI:person:S-1")
    assert pointer.holder == "US/HSI" and pointer.contact_en and pointer.contact_es
    assert "Pepe" not in repr(mexican.pointers)  # existence and whom to ask, nothing of the content
    american = search(world, CBP, "pepe hernandez", PURPOSE)
    assert "US/HSI:person:S-1" in ids(american)
    for viewer in (FGR, GN, CBP):  # the canary case is marked for ATF and no pointer
        for query in (CANARY, "canary secreto", "C-1"):
            found = search(world, viewer, query, PURPOSE)
            assert CANARY not in repr((found.hits, found.pointers)), viewer.user_id
    assert CANARY in repr(search(world, ATF, "canary secreto", PURPOSE).hits)
    assert CANARY in repr(search(world, ATF, "C-1", PURPOSE).hits)


def test_a_broken_filter_would_show_in_search(world, monkeypatch):
    monkeypatch.setattr(access, "visible", lambda principal: true())
    assert CANARY in repr(search(world, FGR, "canary secreto", PURPOSE).hits)


def test_search_needs_a_purpose_and_is_audited(world):
    with pytest.raises(Refused):
        search(world, FGR, "jose", "  ")
    with world.engine.connect() as conn:
        before = conn.execute(select(func.max(audit_log.c.seq))).scalar_one()
    found = search(world, FGR, "jose luis hernandez", PURPOSE)
    with world.engine.connect() as conn:
        entry = conn.execute(select(audit_log).where(audit_log.c.seq > before)).mappings().one()
    assert entry["action"] == "search" and entry["user_id"] == FGR.user_id and entry["purpose"] == PURPOSE
    assert "jose luis hernandez" in entry["detail"]
    assert all(m.record_id in entry["detail"] for h in found.hits for m in h.matches)
    assert audit.verify(world).ok


def test_hits_group_records_of_one_entity(world):
    found = search(world, ATF, "HEGJ880304HCHRML07", PURPOSE)
    entities = [h for h in found.hits if h.entity_id]
    assert entities and all(h.entity_id.startswith("EP-") for h in entities if h.kind == "person")


def test_the_index_is_incremental_and_follows_new_versions(world, tmp_path):
    assert refresh(world).indexed == 0  # nothing new: nothing done
    with world.engine.connect() as conn:
        terms = conn.execute(select(func.count()).select_from(search_terms)).scalar_one()
    assert refresh(world).terms == 0
    changed = SUBJECT_ROWS.replace("Javier,Vasquez", "Xavier,Vasques")
    ingest_file(world, write(tmp_path, changed, "subjects-2.csv"), parse_profile(SUBJECTS, "hsi-subjects"))
    assert refresh(world).indexed == 1  # the one new version
    with world.engine.connect() as conn:
        version = conn.execute(
            select(search_docs.c.version).where(search_docs.c.record_id == "US/HSI:person:S-2")
        ).scalar_one()
        assert conn.execute(select(func.count()).select_from(search_terms)).scalar_one() >= terms - 10
    assert version == 2
    assert "US/HSI:person:S-2" in ids(search(world, ATF, "xavier vasques", PURPOSE))


def test_query_words():
    assert tokens("José  Luis de la Hernández") == [("JOSE", False), ("LUIS", False), ("HERNANDEZ", False)]
    assert tokens("899 123 4567") == [("8991234567", True)]
    assert tokens("1-AB4512-19 Romarm") == [("1AB451219", True), ("ROMARM", False)]
    assert tokens("   ") == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=120),
        st.sampled_from(["' OR 1=1 --", "<script>alert(1)</script>", "%", "_", "\\", "i:", "r:%", "\x00x"]),
    )
)
def test_any_query_is_answered_without_a_crash(world, query):
    found = search(world, FGR, query, PURPOSE)
    assert CANARY not in repr((found.hits, found.pointers))


def test_close_spellings_come_from_a_vocabulary_read_again_in_the_background(world, monkeypatch):
    import threading

    from puente.search import query

    query.forget_vocabulary()
    with world.engine.connect() as conn:
        words = query._vocabulary(conn)
        assert "HERNANDEZ" in words
        key = str(conn.engine.url)
        query._VOCABULARY[key] = (0.0, ["STALE"])  # read long ago
        assert query._vocabulary(conn) == ["STALE"]  # served at once, never waited for
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.daemon:
            thread.join(timeout=10)
    assert "HERNANDEZ" in query._VOCABULARY[key][1]


def test_two_refreshes_at_once_take_turns(db):
    import threading

    from sqlalchemy import func, select

    from puente.store.schema import records

    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            refresh(db)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    with db.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(records)).scalar_one()
        indexed = conn.execute(select(func.count()).select_from(search_docs)).scalar_one()
    assert indexed == stored and refresh(db).indexed == 0
