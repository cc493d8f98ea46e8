"""Watches: new data touching a watched identifier or entity is a hit, shown whole, as a pointer or
not at all as its marking says; old data is not new; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile, parse_profile
from puente.resolve.batch import resolve_persons
from puente.samples import sample_files
from puente.search import refresh
from puente.store.schema import entity_members
from puente.watch.watches import WatchError, add, check, hits
from tests.ingest.test_bad_input import write
from tests.policy.test_access import ATF, FGR, HIDDEN_CONTACT, PURPOSE
from tests.search.test_search import SUBJECTS

PHONE = "899 123 4567"  # the phone of the samples' FGR detainee José Luis Hernández Gómez


@pytest.fixture
def loaded(db):
    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    resolve_persons(db)
    refresh(db)
    return db


def test_new_data_on_a_watched_phone_is_shown_as_its_marking_allows(loaded, tmp_path):
    watch = add(loaded, FGR, PURPOSE, "identifier", PHONE, label="el teléfono del Güero")
    assert check(loaded) == 0  # what was loaded before the watch is not news
    subjects = "ID,GIVEN,LAST,LAST2,DOB,CURP,PHONE\nS-9,Jose,Hernandez,,1988-03-04,,+52 899 123 4567\n"
    ingest_file(loaded, write(tmp_path, subjects, "subjects.csv"), parse_profile(SUBJECTS, "hsi-subjects"))
    informant = "ID,NAME,TEL,STREET,CP\nINF-1,Juan Perez,899 123 4567,Calle Hidalgo 12,88000\n"
    ingest_file(
        loaded, write(tmp_path, informant, "inf.csv"), parse_profile(HIDDEN_CONTACT, "canary-contact")
    )
    seizure = (
        "FOLIO;FECHA_ASEGURAMIENTO;TIPO_EVENTO;MUNICIPIO;ESTADO;NUM_DETENIDO;NOMBRE;APELLIDO_PATERNO;TELEFONO\n"
        "FGR-W-1;01/03/2024;Cateo;Reynosa;Tamaulipas;1;José Luis;Hernández;899 123 4567\n"
    )
    ingest_file(loaded, write(tmp_path, seizure, "w.csv", "latin-1"), load_profile("fgr-aseguramientos"))
    refresh(loaded)
    assert check(loaded) == 3  # HSI's subject, ATF's informant, FGR's new detainee
    assert check(loaded) == 0
    shown = hits(loaded, FGR, PURPOSE)
    assert {h.record_id for h in shown if h.record_id} == {"MX/FGR:person:FGR-W-1-1"}
    pointers = [h for h in shown if h.record_id is None]
    assert [(h.holder, h.label) for h in pointers] == [("US/HSI", "el teléfono del Güero")]
    assert pointers[0].contact_es and pointers[0].title is None
    assert "INF-1" not in repr(shown) and "US/ATF" not in repr(
        shown
    )  # released to no one: not even a pointer
    assert all(h.new for h in shown) and not any(h.new for h in hits(loaded, FGR, PURPOSE))
    assert hits(loaded, ATF, PURPOSE) == []  # someone else's watch
    assert watch > 0


def test_a_watched_entity_is_hit_by_a_new_record_resolved_into_it(loaded, tmp_path):
    with loaded.engine.connect() as conn:
        entity = (
            conn.execute(
                entity_members.select().where(
                    entity_members.c.record_id == "MX/FGR:person:FGR-TAM-2023-0117-1"
                )
            )
            .one()
            .entity_id
        )
    add(loaded, FGR, PURPOSE, "entity", entity, label="El Güero")
    seizure = (
        "FOLIO;FECHA_ASEGURAMIENTO;TIPO_EVENTO;MUNICIPIO;ESTADO;NUM_DETENIDO;NOMBRE;APELLIDO_PATERNO;"
        "APELLIDO_MATERNO;FECHA_NACIMIENTO;SEXO;CURP\n"
        "FGR-W-2;02/03/2024;Cateo;Reynosa;Tamaulipas;1;José Luis;Hernández;Gómez;04/03/1988;H;"
        "HEGJ880304HCHRML07\n"
    )
    ingest_file(loaded, write(tmp_path, seizure, "w2.csv", "latin-1"), load_profile("fgr-aseguramientos"))
    resolve_persons(loaded)
    refresh(loaded)
    assert check(loaded) >= 1
    assert "MX/FGR:person:FGR-W-2-1" in {h.record_id for h in hits(loaded, FGR, PURPOSE)}


def test_a_bad_watch_is_refused_in_both_languages(loaded):
    for kind, value in (("plate", "ABC123"), ("identifier", "-"), ("entity", "EP-none")):
        with pytest.raises(WatchError) as refused:
            add(loaded, FGR, PURPOSE, kind, value)
        assert refused.value.en != refused.value.es
