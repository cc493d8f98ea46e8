"""Controlled vocabularies: nations, agencies, task forces, ports, states, firearm types, makes,
calibers, drug types and currencies.

The vocabularies are data, not code: each lives in a file of ``puente/model/data`` (YAML, or CSV
for the ports) and is read once, from the installed package, by the loader of the same name. A
loader returns a ``dict`` keyed by code whose values are frozen pydantic models with English and
Spanish (Mexico) labels: ``entry.label("es")``. Cross-references between files (an agency's
nation, a port's states, a task force's agencies...) are checked when a file is loaded; a broken
one raises :class:`VocabularyError` naming the file and the entry. Adding a partner nation
(Guatemala, Colombia...) takes edits to the data files only: ``nations.yaml`` (``partner: true``),
``agencies.yaml`` and ``states.yaml``.

The returned dicts are shared (loaded once): do not modify them.

This module imports only pydantic, PyYAML and the standard library.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

__all__ = [
    "Agency",
    "AliasCollisionError",
    "Caliber",
    "Currency",
    "DrugType",
    "Entry",
    "FirearmType",
    "FormerName",
    "Make",
    "Nation",
    "Port",
    "State",
    "TaskForce",
    "VocabularyError",
    "agencies",
    "agency",
    "build_alias_index",
    "calibers",
    "currencies",
    "drug_types",
    "firearm_types",
    "makes",
    "nations",
    "ports",
    "states",
    "task_forces",
]

_PACKAGE = "puente.model"
_DATA_DIR = "data"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
NationCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class VocabularyError(ValueError):
    """A vocabulary data file is malformed or refers to an entry that does not exist."""


class AliasCollisionError(VocabularyError):
    """Two entries of one vocabulary share a name or alias once both are reduced to a match key."""


def _is_es(lang: str | None) -> bool:
    """True for Spanish ("es", "es-MX", "es_MX", "ES"); every other language falls back to English."""
    return bool(lang) and lang.strip().lower().replace("_", "-").split("-", 1)[0] == "es"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Entry(_Model):
    """One vocabulary entry: a stable code, labels in English and Spanish, and other names."""

    code: Text
    name_en: Text
    name_es: Text
    aliases: tuple[Text, ...] = ()

    def label(self, lang: str = "en") -> str:
        """The entry's name in ``lang`` ("en" or "es"; any other language gives English)."""
        return self.name_es if _is_es(lang) else self.name_en

    def names(self) -> tuple[str, ...]:
        """Every string that names this entry: code, labels and aliases (for alias indexes)."""
        return (self.code, self.name_en, self.name_es, *self.aliases)


class Nation(Entry):
    """A nation (ISO 3166-1 alpha-2 code); ``partner`` when its agencies exchange records."""

    code: NationCode
    phone_region: NationCode
    partner: bool = False


class FormerName(_Model):
    """An earlier name of an agency (e.g. PGR for FGR); ``until``: last year it was in use."""

    acronym: Text
    name_en: Text
    name_es: Text
    until: int | None = None

    def label(self, lang: str = "en") -> str:
        return self.name_es if _is_es(lang) else self.name_en


class Agency(Entry):
    """An agency that holds records; code "NATION/ACRONYM", e.g. "US/ATF" or "MX/FGR"."""

    nation: NationCode
    acronym: Text
    parent: str | None = None
    former_names: tuple[FormerName, ...] = ()
    contact_en: Text
    contact_es: Text

    @model_validator(mode="after")
    def _code_is_nation_and_acronym(self) -> Agency:
        if self.code != f"{self.nation}/{self.acronym}":
            raise ValueError(f"code must be '{self.nation}/{self.acronym}' (nation/acronym)")
        return self

    def contact(self, lang: str = "en") -> str:
        """The unit a pointer tells a viewer to contact about a record this agency holds."""
        return self.contact_es if _is_es(lang) else self.contact_en

    def names(self) -> tuple[str, ...]:
        return (*super().names(), self.acronym, *(f.acronym for f in self.former_names))


class TaskForce(Entry):
    """A multi-agency task force such as a BEST (Border Enforcement Security Task Force)."""

    nation: NationCode
    state: str | None = None
    lead_agency: Text
    member_agencies: tuple[Text, ...]
    description_en: Text
    description_es: Text

    @model_validator(mode="after")
    def _lead_is_member(self) -> TaskForce:
        if self.lead_agency not in self.member_agencies:
            raise ValueError(f"lead_agency {self.lead_agency!r} must be listed in member_agencies")
        return self

    def description(self, lang: str = "en") -> str:
        return self.description_es if _is_es(lang) else self.description_en


class State(Entry):
    """A first-level subdivision (ISO 3166-2 code, e.g. "US-TX", "MX-BCN")."""

    nation: NationCode
    postal: str | None = None
    curp: str | None = None
    border: bool = False

    @model_validator(mode="after")
    def _code_in_nation(self) -> State:
        if not self.code.startswith(f"{self.nation}-") or len(self.code) <= 3:
            raise ValueError(f"code must be an ISO 3166-2 code starting with '{self.nation}-'")
        return self

    @property
    def subdivision(self) -> str:
        """The part of the ISO code after the nation: "TX" for "US-TX", "BCN" for "MX-BCN"."""
        return self.code.split("-", 1)[1]

    def names(self) -> tuple[str, ...]:
        extra = [self.subdivision]
        extra += [c for c in (self.postal, self.curp) if c]
        return (*super().names(), *extra)


class Port(Entry):
    """A US-Mexico land port of entry with its 2018 northbound traffic (BTS)."""

    us_state: Text
    us_state_code: Text
    bts_port_code: Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
    mx_city: Text
    mx_state: Text
    mx_state_code: Text
    personal_vehicles_per_day: int = Field(ge=0)
    pedestrians_per_day: int = Field(ge=0)
    trucks_per_day: int = Field(ge=0)
    personal_vehicles_2018: int = Field(ge=0)
    pedestrians_2018: int = Field(ge=0)
    trucks_2018: int = Field(ge=0)

    @property
    def name(self) -> str:
        return self.name_en

    def names(self) -> tuple[str, ...]:
        return (*super().names(), self.bts_port_code)


class FirearmType(Entry):
    """A firearm type; ``weapon_class`` (data key ``class``) is handgun, long_gun or unknown."""

    weapon_class: Literal["handgun", "long_gun", "unknown"] = Field(alias="class")


class Make(Entry):
    """A firearm make; ``country`` of manufacture; ``us_importer`` for US importers' marks."""

    country: NationCode
    us_importer: bool = False
    imports_from: tuple[NationCode, ...] = ()

    @model_validator(mode="after")
    def _imports_only_for_importers(self) -> Make:
        if self.imports_from and not self.us_importer:
            raise ValueError("imports_from is only for makes with us_importer: true")
        return self


class Caliber(Entry):
    """A cartridge caliber; ``family``: metric designation shared by interchangeable calibers."""

    family: Text
    kind: Literal["handgun", "rifle", "shotgun", "ordnance"]
    related: tuple[Text, ...] = ()


class DrugType(Entry):
    """A drug type; ``default_unit`` in which quantities are usually given."""

    default_unit: Literal["kg", "l", "units"]


class Currency(Entry):
    """A currency (ISO 4217)."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    symbol: Text
    minor_units: int = Field(ge=0, le=4)


E = TypeVar("E", bound=Entry)


# --- loading ------------------------------------------------------------------------------------


def _read(filename: str) -> str:
    return resources.files(_PACKAGE).joinpath(_DATA_DIR).joinpath(filename).read_text(encoding="utf-8")


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "entry"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _build(filename: str, model: type[E], rows: Iterable[Any]) -> dict[str, E]:
    out: dict[str, E] = {}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise VocabularyError(f"{filename}: entry #{number} is not a mapping")
        name = row.get("code") or f"#{number}"
        try:
            entry = model.model_validate(row)
        except ValidationError as exc:
            raise VocabularyError(f"{filename}: entry {name!r}: {_describe(exc)}") from exc
        if entry.code in out:
            raise VocabularyError(f"{filename}: entry {entry.code!r} is defined more than once")
        out[entry.code] = entry
    if not out:
        raise VocabularyError(f"{filename}: no entries")
    return out


def _load_yaml(filename: str, model: type[E]) -> dict[str, E]:
    try:
        rows = yaml.safe_load(_read(filename))
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{filename}: not valid YAML: {exc}") from exc
    if not isinstance(rows, list):
        raise VocabularyError(f"{filename}: expected a list of entries")
    return _build(filename, model, rows)


def _check_refs(
    filename: str,
    entry: Entry,
    field: str,
    values: str | Iterable[str] | None,
    known: Mapping[str, Any],
    known_file: str,
) -> None:
    if values is None:
        return
    for value in [values] if isinstance(values, str) else values:
        if value not in known:
            raise VocabularyError(
                f"{filename}: entry {entry.code!r}: {field} {value!r} is not a code of {known_file}"
            )


@cache
def nations() -> dict[str, Nation]:
    """Nations by ISO 3166-1 alpha-2 code (partners and countries of manufacture)."""
    return _load_yaml("nations.yaml", Nation)


@cache
def agencies() -> dict[str, Agency]:
    """Agencies by code "NATION/ACRONYM"."""
    table = _load_yaml("agencies.yaml", Agency)
    known = nations()
    for entry in table.values():
        _check_refs("agencies.yaml", entry, "nation", entry.nation, known, "nations.yaml")
        _check_refs("agencies.yaml", entry, "parent", entry.parent, table, "agencies.yaml")
    return table


def agency(code: str) -> Agency:
    """The agency with this code (e.g. "US/ATF"); ``KeyError`` with suggestions otherwise."""
    table = agencies()
    found = table.get(code) or table.get(code.strip().upper())
    if found is not None:
        return found
    wanted = code.strip().upper()
    by_acronym = [
        a.code for a in table.values() if wanted in {a.acronym, *(f.acronym for f in a.former_names)}
    ]
    close = by_acronym or difflib.get_close_matches(wanted, list(table), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise KeyError(
        f"unknown agency code {code!r}{hint} Agency codes are 'NATION/ACRONYM'; known: {', '.join(table)}"
    )


def unknown_grantees(codes: Iterable[str]) -> list[str]:
    """The codes among these that name no known nation (MX) or agency (US/ATF): in a marking, a typo
    must not hide or leak data."""
    known_nations, known_agencies = nations(), agencies()
    return sorted({c for c in codes if (c not in known_agencies if "/" in c else c not in known_nations)})


@cache
def task_forces() -> dict[str, TaskForce]:
    """Task forces (the BESTs) by code, e.g. "BEST-LAREDO"."""
    table = _load_yaml("task_forces.yaml", TaskForce)
    known_agencies, known_nations, known_states = agencies(), nations(), states()
    for entry in table.values():
        _check_refs("task_forces.yaml", entry, "nation", entry.nation, known_nations, "nations.yaml")
        _check_refs("task_forces.yaml", entry, "state", entry.state, known_states, "states.yaml")
        _check_refs(
            "task_forces.yaml", entry, "lead_agency", entry.lead_agency, known_agencies, "agencies.yaml"
        )
        _check_refs(
            "task_forces.yaml",
            entry,
            "member_agencies",
            entry.member_agencies,
            known_agencies,
            "agencies.yaml",
        )
    return table


@cache
def states() -> dict[str, State]:
    """US states, DC and Mexican states by ISO 3166-2 code ("US-TX", "MX-BCN")."""
    table = _load_yaml("states.yaml", State)
    known = nations()
    for entry in table.values():
        _check_refs("states.yaml", entry, "nation", entry.nation, known, "nations.yaml")
    return table


@cache
def ports() -> dict[str, Port]:
    """The 27 US-Mexico land ports of entry by code ("SAN-YSIDRO"), with 2018 northbound traffic.

    Source of the names and figures: BTS Border Crossing Entry Data 2018, public domain (copied from
    the project reference ``us_mx_land_ports_2018.csv``; ``ports.csv`` adds ``code``, the state
    codes and ``aliases``, several separated by "|").
    """
    filename = "ports.csv"
    reader = csv.DictReader(io.StringIO(_read(filename)))
    rows: list[dict[str, Any]] = []
    for row in reader:
        item: dict[str, Any] = dict(row)
        name = item.pop("port", None)
        item["name_en"] = item["name_es"] = name
        item["aliases"] = [a for a in (item.get("aliases") or "").split("|") if a.strip()]
        rows.append(item)
    table = _build(filename, Port, rows)
    known = states()
    for entry in table.values():
        for field, code, nation, name in (
            ("us_state_code", entry.us_state_code, "US", entry.us_state),
            ("mx_state_code", entry.mx_state_code, "MX", entry.mx_state),
        ):
            _check_refs(filename, entry, field, code, known, "states.yaml")
            state = known[code]
            if state.nation != nation:
                raise VocabularyError(
                    f"{filename}: entry {entry.code!r}: {field} {code!r} is not in {nation}"
                )
            if name not in {state.name_en, state.name_es, *state.aliases}:
                raise VocabularyError(
                    f"{filename}: entry {entry.code!r}: state name {name!r} does not match {field} {code!r}"
                )
    return table


@cache
def firearm_types() -> dict[str, FirearmType]:
    """Firearm types by code ("PISTOL", "RIFLE", ...), each with its class (handgun/long_gun)."""
    return _load_yaml("firearm_types.yaml", FirearmType)


@cache
def makes() -> dict[str, Make]:
    """Firearm makes by code ("SMITH-WESSON", "COLT", ...)."""
    table = _load_yaml("makes.yaml", Make)
    known = nations()
    for entry in table.values():
        _check_refs("makes.yaml", entry, "country", entry.country, known, "nations.yaml")
        _check_refs("makes.yaml", entry, "imports_from", entry.imports_from, known, "nations.yaml")
    return table


@cache
def calibers() -> dict[str, Caliber]:
    """Calibers by code ("9X19", "7.62X39", "12GA", ...)."""
    table = _load_yaml("calibers.yaml", Caliber)
    for entry in table.values():
        _check_refs("calibers.yaml", entry, "related", entry.related, table, "calibers.yaml")
        for other in entry.related:
            if other == entry.code:
                raise VocabularyError(f"calibers.yaml: entry {entry.code!r} lists itself as related")
            if entry.code not in table[other].related:
                raise VocabularyError(
                    f"calibers.yaml: entry {entry.code!r} lists {other!r} as related but {other!r} "
                    f"does not list {entry.code!r}"
                )
    return table


@cache
def drug_types() -> dict[str, DrugType]:
    """Drug types by code ("COCAINE", "FENTANYL-PILLS", ...)."""
    return _load_yaml("drug_types.yaml", DrugType)


@cache
def currencies() -> dict[str, Currency]:
    """Currencies by ISO 4217 code."""
    return _load_yaml("currencies.yaml", Currency)


# --- alias indexes ------------------------------------------------------------------------------


def build_alias_index(
    entries: Iterable[tuple[str, Iterable[str]]],
    key: Callable[[str], str],
    *,
    source: str = "vocabulary",
    weak: Iterable[tuple[str, Iterable[str]]] = (),
) -> dict[str, str]:
    """Map the match key of every name of every entry to the entry's code.

    ``entries``: (code, names) pairs; ``key``: the function that reduces a text to its match key
    (the same one used at lookup time). Two entries whose names reduce to one key raise
    :class:`AliasCollisionError`, so a data edit cannot silently merge two entries. ``weak`` names
    (e.g. a port's twin city) are added only where exactly one entry claims them and no ordinary
    name uses the key; ambiguous weak names are left out instead of raising.
    """
    index: dict[str, str] = {}
    origin: dict[str, str] = {}
    for code, names in entries:
        for name in names:
            k = key(name)
            if not k:
                continue
            other = index.get(k)
            if other is not None and other != code:
                raise AliasCollisionError(
                    f"{source}: {name!r} of {code!r} and {origin[k]!r} of {other!r} are the same once "
                    f"normalised ({k!r}); remove or change one of them"
                )
            index[k] = code
            origin.setdefault(k, name)
    claims: dict[str, set[str]] = {}
    for code, names in weak:
        for name in names:
            k = key(name)
            if k and k not in index:
                claims.setdefault(k, set()).add(code)
    for k, codes in claims.items():
        if len(codes) == 1:
            index[k] = next(iter(codes))
    return index
