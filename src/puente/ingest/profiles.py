"""Mapping profiles: one agency's export format, described in YAML, mapped to the canonical model.

A new agency format needs a new profile, not new code. A profile names the agency, the file format
and encoding, the date order its people write, default markings, and for each canonical record a
row produces: the id template, the fields (column -> field path) and relations to the row's other
records.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from puente.ingest.issues import LoadError
from puente.model.markings import Disclosure
from puente.model.records import ITEM_TYPES, RECORD_TYPES

DateOrder = Literal["MDY", "DMY", "YMD", "ISO", "AUTO"]
TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    """Where a field's value comes from and how to read it."""

    column: str | None = None
    columns: tuple[str, ...] | None = None  # joined with a space (text) or one list element each
    template: str | None = None  # "{NOMBRE} {APELLIDO_PATERNO}"
    value: str | int | float | bool | None = None  # a constant
    required: bool = False
    date_order: DateOrder | None = None
    convention: Literal["es", "en"] | None = None  # person-name order
    value_map: dict[str, str] | None = None  # code translation, compared case-insensitively
    split: str | None = None  # separator characters for list fields, e.g. ";,"
    scale: float | None = None  # unit conversion, e.g. grams -> kg: 0.001
    on_invalid: Literal["quarantine", "flag"] = "quarantine"

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        sources = [self.column is not None, self.columns is not None, self.template is not None]
        if sum(sources) + (self.value is not None) != 1:
            raise ValueError("give exactly one of column, columns, template or value")
        return self

    def source_columns(self) -> tuple[str, ...]:
        if self.column is not None:
            return (self.column,)
        if self.columns is not None:
            return self.columns
        if self.template is not None:
            return tuple(TEMPLATE_FIELD.findall(self.template))
        return ()


def _field_specs(value: dict[str, Any]) -> dict[str, FieldSpec]:
    return {
        path: FieldSpec(column=spec) if isinstance(spec, str) else FieldSpec(**spec)
        for path, spec in value.items()
    }


# "when: COLUMN" is short for a list of one; "path: COLUMN" is short for "path: {column: COLUMN}".
Columns = Annotated[tuple[str, ...], BeforeValidator(lambda v: (v,) if isinstance(v, str) else v)]
FieldMap = Annotated[dict[str, FieldSpec], BeforeValidator(lambda v: _field_specs(v or {}))]


class ItemSpec(_Strict):
    """A seizure item a row may carry (emitted only when one of ``when``'s columns has a value)."""

    kind: str
    when: Columns = ()
    fields: FieldMap = Field(default_factory=dict)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in ITEM_TYPES:
            raise ValueError(f"unknown item kind '{value}'; known: {', '.join(ITEM_TYPES)}")
        return value


class RelationSpec(_Strict):
    kind: str
    to: str  # the key of another record spec of the same profile


class RecordSpec(_Strict):
    type: str
    key: str | None = None
    id: str  # template over columns, e.g. "{TRACE_NO}" or "{SEIZURE_ID}-driver"
    when: Columns = ()  # emit only when one of these columns has a value
    fields: FieldMap = Field(default_factory=dict)
    items: tuple[ItemSpec, ...] = ()
    relations: tuple[RelationSpec, ...] = ()

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value not in RECORD_TYPES:
            raise ValueError(f"unknown record type '{value}'; known: {', '.join(RECORD_TYPES)}")
        return value

    @property
    def ref(self) -> str:
        return self.key or self.type

    def id_columns(self) -> tuple[str, ...]:
        return tuple(TEMPLATE_FIELD.findall(self.id))


class MarkingDefaults(_Strict):
    releasable_to: tuple[str, ...] = ()
    disclosure: Disclosure = Disclosure.POINTER
    originator_controlled: bool = False
    restricted_fields: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class Profile(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: int = 1
    title: dict[str, str]
    description: dict[str, str] = Field(default_factory=dict)
    agency: str = Field(pattern=r"^[A-Z]{2}/[A-Z0-9][A-Z0-9-]*$")
    format: Literal["csv", "jsonl", "xlsx"]
    encoding: str = "utf-8"  # utf-8, latin-1, cp1252, or auto (UTF-8, else Windows-1252, per line)
    delimiter: str = ","
    sheet: str | None = None  # xlsx: the sheet to read (default: the first)
    date_order: DateOrder = "ISO"
    name_convention: Literal["es", "en"] = "es"
    phone_region: str = "US"
    number_format: Literal["en", "es"] = "en"  # "es": 1.234,56
    markings: MarkingDefaults = Field(default_factory=MarkingDefaults)
    records: tuple[RecordSpec, ...] = Field(min_length=1)
    sha256: str = ""  # of the profile text, set by the loader

    @field_validator("title")
    @classmethod
    def _bilingual(cls, value: dict[str, str]) -> dict[str, str]:
        if not value.get("en") or not value.get("es"):
            raise ValueError("title needs both 'en' and 'es'")
        return value

    @model_validator(mode="after")
    def _references(self) -> Profile:
        refs = [spec.ref for spec in self.records]
        if len(set(refs)) != len(refs):
            raise ValueError("two record specs share a key; give each a distinct 'key'")
        for spec in self.records:
            for relation in spec.relations:
                if relation.to not in refs:
                    raise ValueError(
                        f"relation '{relation.kind}' points to unknown record key '{relation.to}'"
                    )
        return self

    def required_columns(self) -> set[str]:
        """Columns that must be present in the header for the load to run."""
        required: set[str] = set()
        for spec in self.records:
            if not spec.when:
                required.update(spec.id_columns())
                for fs in spec.fields.values():
                    if fs.required:
                        required.update(fs.source_columns())
        return required

    def known_columns(self) -> set[str]:
        columns: set[str] = set()
        for spec in self.records:
            columns.update(spec.id_columns())
            columns.update(spec.when)
            for fs in spec.fields.values():
                columns.update(fs.source_columns())
            for item in spec.items:
                columns.update(item.when)
                for fs in item.fields.values():
                    columns.update(fs.source_columns())
        return columns


def parse_profile(text: str, origin: str = "<profile>") -> Profile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LoadError(
            "bad_profile",
            f"profile {origin} is not valid YAML: {exc}",
            f"el perfil {origin} no es YAML válido: {exc}",
        ) from exc
    if not isinstance(data, dict):
        raise LoadError(
            "bad_profile",
            f"profile {origin} must be a YAML mapping",
            f"el perfil {origin} debe ser un mapeo YAML",
        )
    data["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise LoadError(
            "bad_profile",
            f"profile {origin} is not valid: {problems}",
            f"el perfil {origin} no es válido: {problems}",
        ) from exc


@cache
def bundled_profiles() -> dict[str, Profile]:
    """The profiles shipped with Puente, by name."""
    found: dict[str, Profile] = {}
    folder = resources.files("puente.ingest").joinpath("profiles")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            profile = parse_profile(entry.read_text(encoding="utf-8"), entry.name)
            found[profile.name] = profile
    return found


def load_profile(name_or_path: str) -> Profile:
    """A bundled profile by name, or a profile file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return parse_profile(path.read_text(encoding="utf-8"), str(path))
    profiles = bundled_profiles()
    if name_or_path in profiles:
        return profiles[name_or_path]
    known = ", ".join(sorted(profiles)) or "none"
    raise LoadError(
        "unknown_profile",
        f"unknown profile '{name_or_path}': give a bundled profile name ({known}) or a .yaml file",
        f"perfil desconocido '{name_or_path}': indique un perfil incluido ({known}) o un archivo .yaml",
    )
