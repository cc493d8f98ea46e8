"""Analysts' decisions override the model, survive re-runs, apply transitively, are audited,
and are only asked and taken on records the analyst may see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import parse_profile
from puente.policy.access import Refused
from puente.resolve import review
from puente.resolve.batch import resolve_persons
from puente.resolve.review import DecisionGraph
from puente.store.schema import audit_log, entity_members, review_pairs
from tests.ingest.test_bad_input import write
from tests.policy.test_access import ATF, CBP, FGR, GN, PURPOSE

PROFILE = """
name: people-{agency_slug}
title: {{en: People, es: Personas}}
agency: {agency}
format: csv
markings: {{releasable_to: {releasable}, disclosure: pointer}}
records:
  - type: person
    id: "{{ID}}"
    fields:
      name: NAME
      birth_date: {{column: DOB, date_order: ISO}}
      curp: CURP
"""
# One man written three ways, a namesake born the same day, and others to give the model a world.
PEOPLE = {
    "MX/FGR": ("MX, US", [
        ("F1", "José Luis Hernández Gómez", "1988-03-04", "HEGL880304HTSRMS05"),
        ("F2", "María Guadalupe Torres Ruiz", "1990-07-21", ""),
        ("F3", "Juan Pérez López", "1975-01-30", ""),
        ("F4", "Rosa Elena Díaz Soto", "1982-11-02", ""),
    ]),
    "US/ATF": ("US, MX", [
        ("A1", "Joe Hernandez", "1988-04-03", ""),
        ("A2", "Maria Torres", "1990-07-21", ""),
        ("A3", "John Perez", "1975-01-30", ""),
        ("A4", "Jose Hernandez", "1988-03-04", ""),
    ]),
    "MX/GN": ("MX", [
        ("G1", "Pepe Hernández Gómez", "1988-03-04", ""),
        ("G2", "Lupe Torres Ruiz", "1990-07-21", ""),
    ]),
}  # fmt: skip


def load(db, tmp_path):
    for agency, (releasable, rows) in PEOPLE.items():
        text = "ID,NAME,DOB,CURP\n" + "".join(f"{i},{n},{d},{c}\n" for i, n, d, c in rows)
        slug = agency.replace("/", "-").lower()
        profile = PROFILE.format(agency=agency, agency_slug=slug, releasable=f"[{releasable}]")
        ingest_file(db, write(tmp_path, text, f"{slug}.csv"), parse_profile(profile, f"people-{slug}"))


def entity(db, record_id):
    with db.engine.connect() as conn:
        return conn.execute(
            select(entity_members.c.entity_id).where(entity_members.c.record_id == record_id)
        ).scalar()


def test_decisions_override_the_model_and_survive_re_runs(db, tmp_path):
    load(db, tmp_path)
    resolve_persons(db, threshold=1e5)  # a threshold nothing reaches: every pair goes to review
    with db.engine.connect() as conn:
        queued = conn.execute(select(review_pairs.c.record_a, review_pairs.c.record_b)).all()
    assert ("MX/FGR:person:F1", "US/ATF:person:A1") in queued
    review.decide(db, FGR, "US/ATF:person:A1", "MX/FGR:person:F1", "same", PURPOSE, note="misma huella")
    review.decide(db, FGR, "MX/FGR:person:F1", "US/ATF:person:A4", "different", PURPOSE)
    resolve_persons(db, threshold=1e5)
    assert entity(db, "MX/FGR:person:F1") == entity(db, "US/ATF:person:A1")
    assert entity(db, "US/ATF:person:A4") != entity(db, "MX/FGR:person:F1")
    resolve_persons(db)  # the model's own threshold: decisions still hold
    assert entity(db, "MX/FGR:person:F1") == entity(db, "US/ATF:person:A1")
    assert entity(db, "US/ATF:person:A4") != entity(db, "US/ATF:person:A1")  # implied: A4 is not A1 either
    with db.engine.connect() as conn:
        entries = conn.execute(select(audit_log.c.user_id, audit_log.c.detail).where(
            audit_log.c.action == "decide_match")).all()  # fmt: skip
    assert len(entries) == 2 and all(e.user_id == "ana.fgr" for e in entries)


def test_implied_pairs_are_not_asked_again(db, tmp_path):
    load(db, tmp_path)
    resolve_persons(db, threshold=1e5)
    review.decide(db, FGR, "MX/FGR:person:F1", "US/ATF:person:A1", "same", PURPOSE)
    review.decide(db, FGR, "US/ATF:person:A1", "MX/GN:person:G1", "same", PURPOSE)
    review.decide(db, FGR, "MX/FGR:person:F1", "US/ATF:person:A4", "different", PURPOSE)
    asked = {
        frozenset((i.record_a.record_id, i.record_b.record_id))
        for i in review.next_pairs(db, FGR, PURPOSE, 100)
    }
    assert frozenset(("MX/FGR:person:F1", "MX/GN:person:G1")) not in asked  # F1 = A1 = G1
    assert frozenset(("MX/GN:person:G1", "US/ATF:person:A4")) not in asked  # G1 = F1 != A4
    graph = DecisionGraph([("a", "b", "same"), ("b", "c", "same"), ("c", "d", "different")])
    assert graph.same("a", "c") and graph.different("a", "d") and not graph.settled("a", "e")


def test_analysts_see_and_decide_only_pairs_of_records_they_may_see(db, tmp_path):
    load(db, tmp_path)
    resolve_persons(db, threshold=1e5)
    items = review.next_pairs(db, ATF, PURPOSE, 100)  # ATF may not see the Guardia's records
    assert items
    for item in items:
        assert "MX/GN" not in item.record_a.record_id + item.record_b.record_id
        assert item.why_en and item.why_es
    with pytest.raises(Refused, match="no two person records you can see"):
        review.decide(db, ATF, "MX/GN:person:G1", "US/ATF:person:A1", "same", PURPOSE)
    with pytest.raises(Refused, match="no two person records you can see"):
        review.decide(db, GN, "MX/GN:person:G1", "MX/GN:person:NOPE", "same", PURPOSE)
    with pytest.raises(Refused, match="a decision is one of"):
        review.decide(db, FGR, "MX/FGR:person:F1", "US/ATF:person:A1", "maybe", PURPOSE)
    with pytest.raises(Refused, match="needs one of the roles"):
        review.decide(db, CBP, "US/ATF:person:A1", "US/ATF:person:A4", "same", PURPOSE)  # an officer
