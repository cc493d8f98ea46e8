"""Canonical record types: one agency's statement about one thing, as received.

Values are kept as given beside their normalised form (``Coded.text``/``Coded.code``,
``Identifier.text``/``Identifier.value``). Field semantics that ingest needs (which vocabulary a
coded field uses, which identifier scheme, whether a date may lie in the future) are declared here
as ``Annotated`` metadata, so a mapping profile only says which column feeds which field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

# ---------------------------------------------------------------------------------------------
# Field semantics (read by ingest to pick a normaliser)


@dataclass(frozen=True, slots=True)
class Vocab:
    """A coded field: its text is looked up in the named vocabulary."""

    name: str  # caliber, make, firearm_type, drug_type, state, port, nation, currency, agency


@dataclass(frozen=True, slots=True)
class Scheme:
    """An identifier field: its text is validated and normalised by the named scheme."""

    name: str  # curp, rfc, ssn, vin, phone, text


@dataclass(frozen=True, slots=True)
class NotFuture:
    """A date or time that cannot lie in the future (a birth, a seizure, a sale)."""


NOT_FUTURE = NotFuture()

# ---------------------------------------------------------------------------------------------
# Values


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Coded(_Value):
    """A vocabulary value: the text as given and the vocabulary code it resolved to (if any)."""

    text: str
    code: str | None = None


class Identifier(_Value):
    """An identifier as given, its normalised value, and whether it passed its checks."""

    text: str
    value: str | None = None
    valid: bool = True


class PersonName(_Value):
    original: str
    given_names: str | None = None
    paternal_surname: str | None = None
    maternal_surname: str | None = None
    given_key: str | None = None
    paternal_key: str | None = None
    maternal_key: str | None = None


class Serial(_Value):
    text: str
    value: str | None = None
    obliterated: bool = False
    partial: bool = False


class Plate(_Value):
    text: str
    value: str | None = None
    issuer: Annotated[Coded | None, Vocab("state")] = None


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class Direction(StrEnum):
    NORTHBOUND = "northbound"
    SOUTHBOUND = "southbound"
    INLAND = "inland"


class Address(_Value):
    text: str | None = None
    street: str | None = None
    city: str | None = None
    municipality: str | None = None
    state: Annotated[Coded | None, Vocab("state")] = None
    postal_code: str | None = None
    country: Annotated[Coded | None, Vocab("nation")] = None


class Relation(_Value):
    """A link from this record to another record of the same load (by record id)."""

    kind: str = Field(min_length=1, max_length=40)
    target: str = Field(min_length=1, max_length=300)


# ---------------------------------------------------------------------------------------------
# Records

Text = Annotated[str, Field(max_length=2000)]
ShortText = Annotated[str, Field(max_length=200)]


class Record(BaseModel):
    """Fields common to every record. ``source_id`` is the owner's own id for the thing."""

    model_config = ConfigDict(extra="forbid")
    record_type: ClassVar[str]

    source_id: str = Field(min_length=1, max_length=200)
    relations: list[Relation] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    remarks: Text | None = None


class Person(Record):
    record_type: ClassVar[str] = "person"

    name: PersonName | None = None
    aliases: list[ShortText] = Field(default_factory=list)
    nicknames: list[ShortText] = Field(default_factory=list)
    sex: Sex | None = None
    birth_date: Annotated[date | None, NOT_FUTURE] = None
    age: int | None = Field(default=None, ge=0, le=130)
    age_observed_on: Annotated[date | None, NOT_FUTURE] = None
    nationality: Annotated[Coded | None, Vocab("nation")] = None
    birth_state: Annotated[Coded | None, Vocab("state")] = None
    curp: Annotated[Identifier | None, Scheme("curp")] = None
    rfc: Annotated[Identifier | None, Scheme("rfc")] = None
    ssn: Annotated[Identifier | None, Scheme("ssn")] = None
    passport: Annotated[Identifier | None, Scheme("text")] = None
    voter_id: Annotated[Identifier | None, Scheme("text")] = None
    driver_licence: Annotated[Identifier | None, Scheme("text")] = None
    phones: Annotated[list[Identifier], Scheme("phone")] = Field(default_factory=list)
    addresses: list[Address] = Field(default_factory=list)
    occupation: ShortText | None = None


class Organization(Record):
    record_type: ClassVar[str] = "organization"

    name: ShortText
    name_key: str | None = None
    legal_form: ShortText | None = None
    rfc: Annotated[Identifier | None, Scheme("rfc")] = None
    ein: Annotated[Identifier | None, Scheme("text")] = None
    country: Annotated[Coded | None, Vocab("nation")] = None
    phones: Annotated[list[Identifier], Scheme("phone")] = Field(default_factory=list)
    addresses: list[Address] = Field(default_factory=list)
    kind: ShortText | None = None  # licensed dealer, front company, transport firm ...


class _FirearmFields(BaseModel):
    """What describes a gun, in a firearm record or wherever a sale, seizure or trace names one."""

    firearm_type: Annotated[Coded | None, Vocab("firearm_type")] = None
    make: Annotated[Coded | None, Vocab("make")] = None
    model: ShortText | None = None
    caliber: Annotated[Coded | None, Vocab("caliber")] = None
    serial: Serial | None = None
    importer: ShortText | None = None
    country_of_manufacture: Annotated[Coded | None, Vocab("nation")] = None


class FirearmDescription(_FirearmFields):
    """A gun as described in a sale, seizure or trace."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Firearm(Record, _FirearmFields):
    record_type: ClassVar[str] = "firearm"


class Vehicle(Record):
    record_type: ClassVar[str] = "vehicle"

    vin: Annotated[Identifier | None, Scheme("vin")] = None
    plate: Plate | None = None
    make: ShortText | None = None
    model: ShortText | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    color: ShortText | None = None
    vin_country: ShortText | None = None
    vin_manufacturer: ShortText | None = None
    vin_model_year: int | None = None
    reported_stolen_on: Annotated[date | None, NOT_FUTURE] = None
    theft_report: ShortText | None = None
    recovered_on: Annotated[date | None, NOT_FUTURE] = None  # a stolen vehicle found: no longer listed


class Phone(Record):
    record_type: ClassVar[str] = "phone"

    number: Annotated[Identifier, Scheme("phone")]
    carrier: ShortText | None = None
    subscriber: ShortText | None = None


class Location(Record):
    record_type: ClassVar[str] = "location"

    address: Address
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    kind: ShortText | None = None  # residence, stash house, business ...


# --- seizures ---------------------------------------------------------------------------------


class _Item(_Value):
    description: ShortText | None = None


class FirearmItem(_Item):
    kind: Literal["firearm"] = "firearm"
    firearm: FirearmDescription = Field(default_factory=FirearmDescription)
    quantity: int = Field(default=1, ge=1)


class AmmunitionItem(_Item):
    kind: Literal["ammunition"] = "ammunition"
    caliber: Annotated[Coded | None, Vocab("caliber")] = None
    rounds: int = Field(ge=0)


class DrugItem(_Item):
    kind: Literal["drug"] = "drug"
    drug_type: Annotated[Coded | None, Vocab("drug_type")] = None
    weight_kg: Decimal | None = Field(default=None, ge=0)
    units: int | None = Field(default=None, ge=0)


class CashItem(_Item):
    kind: Literal["cash"] = "cash"
    currency: Annotated[Coded | None, Vocab("currency")] = None
    amount: Decimal = Field(ge=0)


class VehicleItem(_Item):
    kind: Literal["vehicle"] = "vehicle"
    vin: Annotated[Identifier | None, Scheme("vin")] = None
    plate: Plate | None = None


class OtherItem(_Item):
    kind: Literal["other"] = "other"
    quantity: Decimal | None = Field(default=None, ge=0)


SeizureItem = Annotated[
    FirearmItem | AmmunitionItem | DrugItem | CashItem | VehicleItem | OtherItem, Field(discriminator="kind")
]
ITEM_TYPES: dict[str, type[_Item]] = {
    "firearm": FirearmItem,
    "ammunition": AmmunitionItem,
    "drug": DrugItem,
    "cash": CashItem,
    "vehicle": VehicleItem,
    "other": OtherItem,
}


class Seizure(Record):
    record_type: ClassVar[str] = "seizure"

    seized_on: Annotated[date, NOT_FUTURE]
    seized_at: Annotated[datetime | None, NOT_FUTURE] = None
    event: ShortText | None = None  # port inspection, crime scene, traffic stop, search warrant ...
    port: Annotated[Coded | None, Vocab("port")] = None
    direction: Direction | None = None
    place: Address | None = None
    unit: ShortText | None = None
    items: list[SeizureItem] = Field(default_factory=list)


# --- movement, sales, traces, cases ------------------------------------------------------------


class Crossing(Record):
    record_type: ClassVar[str] = "crossing"

    port: Annotated[Coded, Vocab("port")]
    direction: Direction
    crossed_at: Annotated[datetime, NOT_FUTURE]
    lane: ShortText | None = None
    mode: ShortText | None = None  # vehicle, pedestrian, truck
    plate: Plate | None = None
    vin: Annotated[Identifier | None, Scheme("vin")] = None
    occupants: int | None = Field(default=None, ge=0, le=100)


class Acquisition(Record):
    """A licensed dealer's sale of a firearm."""

    record_type: ClassVar[str] = "acquisition"

    dealer_licence: ShortText
    dealer_name: ShortText | None = None
    dealer_state: Annotated[Coded | None, Vocab("state")] = None
    sold_on: Annotated[date, NOT_FUTURE]
    firearm: FirearmDescription = Field(default_factory=FirearmDescription)
    multiple_sale: bool = False
    price: Decimal | None = Field(default=None, ge=0)


class TraceRequest(Record):
    record_type: ClassVar[str] = "trace_request"

    trace_number: ShortText
    requested_on: Annotated[date | None, NOT_FUTURE] = None
    requesting_agency: Annotated[Coded | None, Vocab("agency")] = None
    recovered_on: Annotated[date | None, NOT_FUTURE] = None
    recovery_place: Address | None = None
    firearm: FirearmDescription = Field(default_factory=FirearmDescription)
    status: ShortText | None = None
    # result, where the trace has one
    dealer_licence: ShortText | None = None
    purchased_on: Annotated[date | None, NOT_FUTURE] = None
    time_to_crime_days: int | None = Field(default=None, ge=0)


class Case(Record):
    record_type: ClassVar[str] = "case"

    case_number: ShortText
    title: ShortText | None = None
    opened_on: Annotated[date | None, NOT_FUTURE] = None
    status: ShortText | None = None
    case_type: ShortText | None = None  # firearms trafficking, drug trafficking, bulk cash ...
    lead_agent: ShortText | None = None


RECORD_TYPES: dict[str, type[Record]] = {
    cls.record_type: cls
    for cls in (
        Person,
        Organization,
        Firearm,
        Vehicle,
        Phone,
        Location,
        Seizure,
        Crossing,
        Acquisition,
        TraceRequest,
        Case,
    )
}


def record_id(owner: str, record_type: str, source_id: str) -> str:
    """The stable id of a record: owner agency, type and the owner's own id."""
    return f"{owner}:{record_type}:{source_id}"
