"""Phones and addresses: one entity per E.164 number or whole normalised address, with the records
that carry them as mentions; a partial address never joins; a viewer sees only what they may."""

from __future__ import annotations

import pytest
from sqlalchemy import select, true

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import parse_profile
from puente.policy import access
from puente.resolve.batch import resolve_things
from puente.resolve.contacts import address_key, street_key
from puente.resolve.entities import memberships
from puente.resolve.things import RULES
from puente.store.schema import entity_links, entity_members, entity_mentions
from tests.ingest.test_bad_input import write
from tests.policy.test_access import ATF, FGR, GN, PURPOSE

PHONES = """
name: phones
title: {en: Phone lines, es: Líneas telefónicas}
agency: MX/FGR
format: csv
phone_region: MX
markings: {releasable_to: [MX], disclosure: none}
records:
  - type: phone
    id: "{ID}"
    fields:
      number: TEL
      carrier: COMPANIA
"""
PLACES = """
name: places
title: {en: Places, es: Lugares}
agency: MX/FGR
format: csv
markings: {releasable_to: [MX], disclosure: none}
records:
  - type: location
    id: "{ID}"
    fields:
      address.street: CALLE
      address.postal_code: CP
      address.city: CIUDAD
      address.country: {value: MX}
"""
# US/ATF's subjects, released to no one else: the phones and addresses they carry are mentions
SUBJECTS = """
name: subjects
title: {en: Subjects, es: Sujetos}
agency: US/ATF
format: csv
phone_region: US
markings: {releasable_to: [US/ATF], disclosure: none}
records:
  - type: person
    id: "{ID}"
    fields:
      name: NAME
      phones[0]: TEL1
      phones[1]: TEL2
      addresses[0].street: CALLE
      addresses[0].postal_code: CP
      addresses[0].country: {value: MX}
"""


def load(db, tmp_path, profile: str, name: str, text: str) -> None:
    ingest_file(db, write(tmp_path, text, f"{name}.csv"), parse_profile(profile, name))


def entity_of(db, kind: str) -> dict[tuple[str, str], str]:
    """(record, field) -> entity id, members with field ''."""
    with db.engine.connect() as conn:
        found = {
            (r, ""): e
            for r, e in conn.execute(
                select(entity_members.c.record_id, entity_members.c.entity_id).where(
                    entity_members.c.entity_type == kind
                )
            )
        }
        for r, f, e in conn.execute(
            select(entity_mentions.c.record_id, entity_mentions.c.field, entity_mentions.c.entity_id).where(
                entity_mentions.c.entity_type == kind
            )
        ):
            found[(r, f)] = e
    return found


def links_of(db, kind: str) -> list[tuple[str, str, str]]:
    with db.engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(entity_links.c.record_a, entity_links.c.record_b, entity_links.c.levels).where(
                    entity_links.c.entity_type == kind
                )
            )
        ]


def test_street_keys_unify_abbreviations_and_need_a_house_number():
    one = "CALLE HIDALGO 12"
    assert street_key("Calle Hidalgo No. 12") == street_key("C. Hidalgo #12") == one
    assert street_key("CALLE HIDALGO NÚMERO 12") == street_key("c hidalgo núm 12") == one
    assert street_key("Av. Juárez 45") == street_key("AVENIDA JUAREZ 45") == street_key("Ave Juarez 45")
    assert street_key("Col. Centro, Calle Juárez 45") == street_key("Colonia Centro Calle Juarez 45")
    assert street_key("123 Main St.") == street_key("123 MAIN STREET")
    assert street_key("Av. 16 de Septiembre 1050") == "AVENIDA 16 DE SEPTIEMBRE 1050"
    for street in ("Calle Hidalgo", "Hidalgo S/N", "Avenida 5 de Mayo", "Calle 10", "5th Avenue", "", None):
        assert street_key(street) is None, street  # a street, not a house


def test_address_keys_need_a_postal_code_or_city_and_a_country():
    mx = {"code": "MX"}
    with_cp = {"street": "Calle Hidalgo 12", "postal_code": "88000", "city": "Reynosa", "country": mx}
    assert address_key(with_cp) == ("street_postal_country", "CALLE HIDALGO 12|88000|MX")
    by_city = {"street": "Calle Hidalgo 12", "city": "Reynosa", "state": {"code": "MX-TAM"}, "country": mx}
    assert address_key(by_city) == ("street_city_country", "CALLE HIDALGO 12|REYNOSA|MX TAM|MX")
    assert address_key({"street": "Calle Hidalgo 12", "country": mx}) is None  # neither postal code nor city
    assert address_key({"street": "Calle Hidalgo 12", "postal_code": "88000"}) is None  # no country
    assert address_key({"street": "Calle Hidalgo", "postal_code": "88000", "country": mx}) is None
    assert address_key({"text": "Calle Hidalgo 12, 88000 Reynosa", "country": mx}) is None  # unparsed text
    for rule in ("phone_number", "street_postal_country", "street_city_country"):
        en, es = RULES[rule]
        assert en and es and en != es


def test_one_number_in_two_formats_is_one_phone_and_other_numbers_stay_apart(db, tmp_path):
    load(db, tmp_path, PHONES, "phones", "ID,TEL,COMPANIA\nT-1,(55) 1234-5678,Telcel\n"
         "T-2,+52 55 1234 5678,\nT-3,55 8765 4321,AT&T\n")  # fmt: skip
    load(db, tmp_path, SUBJECTS, "subjects", "ID,NAME,TEL1,TEL2,CALLE,CP\n"
         "S-1,Juan Perez,+52 (55) 1234 5678,+1 956 555 0101,,\nS-2,Ana Ruiz,956-555-0101,,,\n")  # fmt: skip
    report = resolve_things(db, "phone")
    found = entity_of(db, "phone")
    lines = "MX/FGR:phone:T-{}"
    assert found[(lines.format(1), "")] == found[(lines.format(2), "")]
    assert found[(lines.format(3), "")] != found[(lines.format(1), "")]
    # a person carrying the number is a mention of the same phone; its second number is another
    assert found[("US/ATF:person:S-1", "phones[0]")] == found[(lines.format(1), "")]
    assert found[("US/ATF:person:S-1", "phones[1]")] == found[("US/ATF:person:S-2", "phones[0]")]
    assert found[("US/ATF:person:S-1", "phones[1]")] != found[(lines.format(1), "")]
    assert all(e.startswith("ET-") for e in found.values())
    assert links_of(db, "phone") == [(lines.format(1), lines.format(2), "phone_number")]
    assert (report.records, report.entities, report.links) == (5, 3, 1)
    again = resolve_things(db, "phone")
    assert entity_of(db, "phone") == found and (again.new, again.merged, again.split) == (0, 0, 0)


def test_addresses_join_through_abbreviations_and_a_partial_address_never_joins(db, tmp_path):
    rows = [
        "ID,CALLE,CP,CIUDAD",
        "L-1,Calle Hidalgo No. 12,88000,Reynosa",
        "L-2,C. HIDALGO #12,88000,",
        "L-3,Calle Hidalgo,88000,Reynosa",
        "L-4,Calle Hidalgo 12,,",
        "L-5,Calle Hidalgo 12,88010,Reynosa",
        "L-6,Calle Hidalgo 12,,Reynosa",
        "L-7,C. Hidalgo 12,,REYNOSA",
    ]
    load(db, tmp_path, PLACES, "places", "\n".join(rows) + "\n")
    load(db, tmp_path, SUBJECTS, "subjects", "ID,NAME,TEL1,TEL2,CALLE,CP\n"
         "S-1,Juan Perez,,,calle hidalgo número 12,88000\nS-2,Ana Ruiz,,,Calle Hidalgo,88000\n")  # fmt: skip
    resolve_things(db, "address")
    found = entity_of(db, "address")
    place = "MX/FGR:location:L-{}"
    one = found[(place.format(1), "")]
    assert one.startswith("ED-") and found[(place.format(2), "")] == one
    assert found[("US/ATF:person:S-1", "addresses[0]")] == one
    # no house number (L-3, S-2), neither postal code nor city (L-4): never joined to anything
    partial = [found[(place.format(k), "")] for k in (3, 4)]
    assert len({one, *partial}) == 3 and ("US/ATF:person:S-2", "addresses[0]") not in found
    assert found[(place.format(5), "")] != one  # another postal code
    assert found[(place.format(6), "")] == found[(place.format(7), "")] != one  # by city, without postal code
    rules = {rule for _, _, rule in links_of(db, "address")}
    assert rules == {"street_postal_country", "street_city_country"}


def test_a_viewer_sees_only_the_members_and_mentions_they_may_see(db, tmp_path):
    load(db, tmp_path, PHONES, "phones", "ID,TEL,COMPANIA\nT-1,(55) 1234-5678,\nT-2,55 8765 4321,\n")
    load(
        db, tmp_path, SUBJECTS, "subjects", "ID,NAME,TEL1,TEL2,CALLE,CP\nS-1,Juan Perez,+52 55 1234 5678,,,\n"
    )
    resolve_things(db, "phone")
    stored = entity_of(db, "phone")
    shared, alone = stored[("MX/FGR:phone:T-1", "")], stored[("MX/FGR:phone:T-2", "")]

    fgr = {(m.record_id, m.field): m.entity_id for m in memberships(db, FGR, PURPOSE, entity_type="phone")}
    assert set(fgr) == {("MX/FGR:phone:T-1", ""), ("MX/FGR:phone:T-2", "")}  # not ATF's subject
    assert fgr[("MX/FGR:phone:T-2", "")] == alone  # the whole entity: its own id
    assert fgr[("MX/FGR:phone:T-1", "")] not in (shared, alone)  # a part: an id that says nothing more
    assert fgr[("MX/FGR:phone:T-1", "")].startswith("ET-")
    assert fgr == {(m.record_id, m.field): m.entity_id for m in memberships(db, GN, PURPOSE, "phone")}

    atf = memberships(db, ATF, PURPOSE, entity_type="phone")
    assert [(m.record_id, m.field, m.owner) for m in atf] == [("US/ATF:person:S-1", "phones[0]", "US/ATF")]
    assert atf[0].entity_id not in (shared, fgr[("MX/FGR:phone:T-1", "")])
    assert "MX/FGR" not in repr(atf) and "US/ATF" not in repr(memberships(db, FGR, PURPOSE, "phone"))
    with pytest.raises(access.Refused, match="purpose of use"):
        memberships(db, FGR, "", entity_type="phone")


def test_a_broken_visibility_filter_shows_in_phones_and_addresses(db, tmp_path, monkeypatch):
    load(db, tmp_path, SUBJECTS, "subjects", "ID,NAME,TEL1,TEL2,CALLE,CP\nS-1,Juan Perez,+52 55 1234 5678,,"
         "Calle Hidalgo 12,88000\n")  # fmt: skip
    for kind in ("phone", "address"):
        resolve_things(db, kind)
        assert memberships(db, FGR, PURPOSE, entity_type=kind) == []
    monkeypatch.setattr(access, "visible", lambda principal: true())
    for kind in ("phone", "address"):
        assert [m.record_id for m in memberships(db, FGR, PURPOSE, entity_type=kind)] == ["US/ATF:person:S-1"]
