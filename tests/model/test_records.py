"""The canonical model: every field and value labelled in both languages; markings validated."""

from __future__ import annotations

import typing
from enum import StrEnum

import pytest
from pydantic import BaseModel, ValidationError

from puente.model import records as r
from puente.model.labels import enum_label, field_label, item_kind_label, labels_data, record_type_label
from puente.model.markings import Disclosure, Markings

VALUE_MODELS = [
    r.Coded,
    r.Identifier,
    r.PersonName,
    r.Serial,
    r.Plate,
    r.Address,
    r.Relation,
    r.FirearmDescription,
    *r.ITEM_TYPES.values(),
]


def all_models() -> list[type[BaseModel]]:
    return [*r.RECORD_TYPES.values(), *VALUE_MODELS]


@pytest.mark.parametrize("model", all_models(), ids=lambda m: m.__name__)
def test_every_field_has_english_and_spanish_labels(model):
    fields = labels_data()["fields"]
    for name in model.model_fields:
        assert name in fields, f"{model.__name__}.{name} has no label"
        assert fields[name]["en"] and fields[name]["es"]


def test_record_types_and_item_kinds_are_labelled():
    for record_type in r.RECORD_TYPES:
        assert (
            record_type_label(record_type, "en") != record_type_label(record_type, "es")
            or record_type == "case"
        )
        assert record_type_label(record_type, "es")
    assert record_type_label("seizure", "es") == "Aseguramiento"
    for kind in r.ITEM_TYPES:
        assert item_kind_label(kind, "es") and item_kind_label(kind, "en")


def test_enum_values_are_labelled():
    enums = {"sex": r.Sex, "direction": r.Direction, "disclosure": Disclosure}
    for name, enum in enums.items():
        for member in enum:
            assert enum_label(name, member.value, "es") != member.value or member.value == "inland"
    assert enum_label("direction", "southbound", "es") == "Sentido sur"
    # every StrEnum used by a record is in the table
    for model in all_models():
        for info in model.model_fields.values():
            for arg in typing.get_args(info.annotation) or (info.annotation,):
                if isinstance(arg, type) and issubclass(arg, StrEnum):
                    assert arg in enums.values()


def test_field_label_of_a_path_uses_its_last_part():
    assert field_label("firearm.caliber", "es") == "Calibre"
    assert field_label("no_such_field", "es") == "no_such_field"


def test_markings_normalise_and_refuse_bad_grantees():
    m = Markings(owner="MX/FGR", releasable_to=("US/ATF", "MX", "US/ATF"))
    assert m.releasable_to == ("MX", "US/ATF")
    assert m.owner_nation == "MX"
    assert m.disclosure is Disclosure.POINTER
    for bad in ("mx", "MEX", "US/", "/ATF", "U1"):
        with pytest.raises(ValidationError):
            Markings(owner="MX/FGR", releasable_to=(bad,))
    with pytest.raises(ValidationError):
        Markings(owner="FGR")
    with pytest.raises(ValidationError):
        Markings(owner="MX/FGR", restricted_fields={"ssn": ("nowhere",)})


def test_seizure_items_are_typed_by_kind():
    s = r.Seizure.model_validate(
        {
            "source_id": "S1",
            "seized_on": "2023-02-01",
            "items": [
                {"kind": "cash", "amount": "48500", "currency": {"text": "USD", "code": "USD"}},
                {"kind": "ammunition", "rounds": 1200, "caliber": {"text": "7.62x39"}},
                {"kind": "drug", "weight_kg": "2.4", "drug_type": {"text": "fentanilo"}},
            ],
        }
    )
    assert [type(i).__name__ for i in s.items] == ["CashItem", "AmmunitionItem", "DrugItem"]
    with pytest.raises(ValidationError):
        r.Seizure.model_validate(
            {"source_id": "S1", "seized_on": "2023-02-01", "items": [{"kind": "cash", "amount": "-1"}]}
        )
    with pytest.raises(ValidationError):
        r.Seizure.model_validate({"source_id": "S1", "seized_on": "2023-02-01", "items": [{"kind": "tank"}]})


def test_records_refuse_unknown_fields_and_empty_ids():
    with pytest.raises(ValidationError):
        r.Person.model_validate({"source_id": "1", "eye_colour": "brown"})
    with pytest.raises(ValidationError):
        r.Person.model_validate({"source_id": ""})


def test_record_id_is_owner_type_and_source_id():
    assert r.record_id("MX/FGR", "person", "FGR-1") == "MX/FGR:person:FGR-1"
