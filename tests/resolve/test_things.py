"""Firearms and vehicles: joined by their identifiers only; a filed-off serial is never merged."""

from __future__ import annotations

from puente.resolve.things import company_name, firearm, link_things, organization, vehicle
from tests.resolve.test_batch import load_world, world

__all__ = ["world"]


def gun(rid, serial, make, caliber="9X19", obliterated=False, kind="firearm"):
    body = {"serial": {"value": serial, "obliterated": obliterated, "partial": False}, "make": {"code": make},
            "caliber": {"code": caliber}}  # fmt: skip
    return firearm(rid, kind, body if kind == "firearm" else {"firearm": body})


def test_one_serial_and_make_is_one_gun_across_record_types():
    clusters, links = link_things([
        gun("MX/FGR:firearm:1", "VZP289378", "SMITH-WESSON"),
        gun("US/ATF:acquisition:2", "VZP289378", "SMITH-WESSON", kind="acquisition"),
        gun("US/ATF:trace_request:3", "VZP289378", "SMITH-WESSON", kind="trace_request"),
        gun("US/ATF:acquisition:4", "VZP289378", "GLOCK", kind="acquisition"),  # another make: another gun
    ])  # fmt: skip
    assert (
        clusters["MX/FGR:firearm:1"] == clusters["US/ATF:acquisition:2"] == clusters["US/ATF:trace_request:3"]
    )
    assert clusters["US/ATF:acquisition:4"] != clusters["MX/FGR:firearm:1"]
    assert {rule for _, _, rule in links} == {"serial_make"}


def test_obliterated_serials_and_conflicting_calibers_are_never_merged():
    clusters, links = link_things([
        gun("MX/FGR:firearm:1", None, "GLOCK", obliterated=True),
        gun("MX/FGR:firearm:2", None, "GLOCK", obliterated=True),
        gun("US/ATF:acquisition:3", "AB123", "GLOCK", "9X19", kind="acquisition"),
        gun("US/ATF:acquisition:4", "AB123", "GLOCK", "45-ACP", kind="acquisition"),
    ])  # fmt: skip
    assert len(set(clusters.values())) == 4 and links == []


def plate(state):
    return {"value": "6ZXV995", "issuer": {"code": state}}


def test_vehicles_join_by_vin_or_by_plate_state_and_make():
    clusters, links = link_things([
        vehicle("US/CBP:vehicle:1", "vehicle", {"vin": {"value": "1HGCM8268AN494891"}, "make": "HONDA",
                "plate": {"value": "6ZXV995", "issuer": {"code": "US-CA"}}}),
        vehicle("US/CBP:crossing:2", "crossing", {"vin": {"value": "1HGCM8268AN494891"}}),
        vehicle("US/NCIC:vehicle:3", "vehicle", {"make": "HONDA", "plate": plate("US-CA")}),
        vehicle("MX/REPUVE:vehicle:4", "vehicle", {"make": "NISSAN", "plate": plate("US-CA")}),
        vehicle("US/CBP:vehicle:5", "vehicle", {"make": "HONDA", "plate": plate("US-AZ")}),
    ])  # fmt: skip
    assert clusters["US/CBP:vehicle:1"] == clusters["US/CBP:crossing:2"]
    assert clusters["US/NCIC:vehicle:3"] == clusters["US/CBP:vehicle:1"]  # plate, state and make
    assert clusters["MX/REPUVE:vehicle:4"] != clusters["US/CBP:vehicle:1"]  # the plate moved to a Nissan
    assert clusters["US/CBP:vehicle:5"] != clusters["US/CBP:vehicle:1"]  # same plate, another state
    assert sorted(rule for _, _, rule in links) == ["plate_state_make", "vin"]


def company(rid, name, rfc=None, country="MX"):
    return organization(rid, "organization", {"name": name, "rfc": {"value": rfc} if rfc else None,
                                               "country": {"code": country}})  # fmt: skip


def test_legal_forms_are_read_however_they_are_written():
    assert company_name("Transportes del Norte, S.A. de C.V.") == "TRANSPORTES DEL NORTE"
    assert company_name("TRANSPORTES DEL NORTE SA DE CV") == "TRANSPORTES DEL NORTE"
    assert company_name("Importadora Ríos S. de R.L. de C.V.") == "IMPORTADORA RIOS"
    assert company_name("Border Freight, L.L.C.") == company_name("BORDER FREIGHT LLC") == "BORDER FREIGHT"
    assert company_name("Inc.") == "INC"  # a name that is only a legal form is kept
    assert company_name(None) is None


def test_organizations_join_by_rfc_or_by_name_and_country_and_never_across_rfcs():
    clusters, links = link_things([
        company("MX/UIF:organization:1", "Transportes del Norte, S.A. de C.V.", "TNO120315AB1"),
        company("MX/ANAM:organization:2", "TRANSPORTES DEL NORTE SA DE CV"),
        company("MX/FGR:organization:3", "Transportadora Norteña", "TNO120315AB1"),  # same RFC: one firm
        company("MX/FGR:organization:4", "Transportes del Norte SA", "TNO990101ZZ9"),  # another RFC: another
        company("US/HSI:organization:5", "Transportes del Norte", country="US"),  # another country
    ])  # fmt: skip
    one = clusters["MX/UIF:organization:1"]
    assert clusters["MX/FGR:organization:3"] == one
    assert clusters["MX/FGR:organization:4"] != one and clusters["US/HSI:organization:5"] != one
    assert clusters["MX/ANAM:organization:2"] != one  # its name key is shared with a firm of another RFC
    assert {rule for _, _, rule in links} == {"rfc"}


def test_a_seizures_guns_join_the_firearms_they_are(sqlite_db, world):
    """On the tiny world, each gun recovered in a seizure becomes a mention of the firearm entity
    of the acquisitions, traces and firearm records of that gun; scored against the truth."""
    import csv
    from collections import Counter

    from sqlalchemy import select

    from puente.resolve.batch import resolve_things
    from puente.resolve.things import carried_firearms
    from puente.store.schema import entity_members, entity_mentions
    from puente.synth.scoring import score_clusters

    load_world(sqlite_db, world)
    report = resolve_things(sqlite_db, "firearm")
    with sqlite_db.engine.connect() as conn:
        members = dict(conn.execute(select(entity_members.c.record_id, entity_members.c.entity_id)
                                    .where(entity_members.c.entity_type == "firearm")).all())  # fmt: skip
        mentions = conn.execute(select(entity_mentions.c.record_id, entity_mentions.c.field,
                                       entity_mentions.c.entity_id, entity_mentions.c.rule)
                                .where(entity_mentions.c.entity_type == "firearm")).all()  # fmt: skip
    assert mentions and all(m.field.startswith("items[") for m in mentions)
    assert {m.rule for m in mentions} == {"serial_make"}
    with (world / "truth" / "records.csv").open(encoding="utf-8") as handle:
        truth = {r["record_id"]: r["firearm_id"] for r in csv.DictReader(handle) if r["firearm_id"]}
    guns = Counter(m.record_id for m in mentions)  # the truth names one gun for a seizure
    predicted = {**members, **{m.record_id: m.entity_id for m in mentions if guns[m.record_id] == 1}}
    scored = score_clusters(predicted, {r: g for r, g in truth.items() if r in predicted})
    assert scored.pairwise_precision == 1.0 and scored.pairwise_recall > 0.9, scored
    joined = {m.entity_id for m in mentions} & set(members.values())
    assert joined and report.records == len(members) + len({m.record_id for m in mentions})
    # a filed-off serial is carried by no mention: it could never be joined
    filed = {"items": [{"kind": "firearm", "firearm": {"serial": {"value": "X1", "obliterated": True},
                                                       "make": {"code": "GLOCK"}}}]}  # fmt: skip
    assert carried_firearms("MX/FGR:seizure:1", filed) == []
