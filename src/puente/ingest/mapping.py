"""Compile a mapping profile into a fast row -> canonical records function.

What a field means (a date that cannot lie in the future, a CURP, a caliber from the vocabulary)
is read from the canonical model's annotations, so profiles only say which column feeds which
field. Compilation happens once per load; each row then runs a flat list of small closures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

import orjson
from pydantic import BaseModel, ValidationError

from puente.ingest.issues import LoadError, RowIssue, from_validation_error, shorten
from puente.ingest.profiles import TEMPLATE_FIELD, FieldSpec, Profile
from puente.ingest.readers import Cell
from puente.model import vocab
from puente.model.labels import labels_data, vocabulary_label
from puente.model.markings import Markings
from puente.model.records import (
    ITEM_TYPES,
    NOT_FUTURE,
    RECORD_TYPES,
    Identifier,
    PersonName,
    Plate,
    Record,
    Scheme,
    Serial,
    Vocab,
)
from puente.normalize import dates, firearms, identifiers, names, places
from puente.normalize.errors import NormalizationError
from puente.normalize.text import clean, fold

Reader = Callable[[Any], Any]  # cell text -> field value; raises NormalizationError or _Flagged


class _Flagged(Exception):
    """A value kept with a quality flag instead of failing the row."""

    def __init__(self, value: Any, flag: str) -> None:
        self.value = value
        self.flag = flag


class BuiltRecord(NamedTuple):  # a tuple: it crosses process boundaries in bulk
    record_type: str
    record_id: str
    canonical: str
    payload_sha256: str


# --- value readers ---------------------------------------------------------------------------

_TRUE = {"TRUE", "T", "YES", "Y", "SI", "S", "1", "X", "VERDADERO", "CIERTO"}
_FALSE = {"FALSE", "F", "NO", "N", "0", "FALSO"}
_THOUSANDS_ES = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def _number_text(text: str, number_format: str) -> str:
    text = text.strip().replace(" ", "").replace("$", "")
    if number_format == "es":
        if "," in text:
            return text.replace(".", "").replace(",", ".")
        if _THOUSANDS_ES.match(text):
            return text.replace(".", "")
        return text
    return text.replace(",", "")


def _issue(code: str, en: str, es: str) -> NormalizationError:
    return NormalizationError(code, en, es)


@cache
def _enum_lookup(enum_name: str, enum_cls: type[StrEnum]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    labels = labels_data()["enums"].get(enum_name, {})
    for member in enum_cls:
        lookup[fold(member.value)] = member.value
        for text in labels.get(member.value, {}).values():
            lookup.setdefault(fold(text), member.value)
    return lookup


@cache
def _agency_index() -> dict[str, str | None]:
    """Folded code, acronym, former acronym and names -> agency code (None where two agencies share one)."""
    index: dict[str, str | None] = {}
    for code, agency in vocab.agencies().items():
        for name in {
            code,
            *agency.names(),
            *(f.name_en for f in agency.former_names),
            *(f.name_es for f in agency.former_names),
        }:
            key = fold(name)
            index[key] = code if index.get(key, code) == code else None
    return index


def _agency_code(text: str) -> str | None:
    return _agency_index().get(fold(text))


@cache
def _currency_code(text: str) -> str | None:
    currencies = vocab.currencies()
    upper = text.strip().upper()
    if upper in currencies:
        return upper
    key = fold(text)
    for code, entry in currencies.items():
        if key in (fold(entry.label("en")), fold(entry.label("es"))):
            return code
    return {"DOLARES": "USD", "DOLLARS": "USD", "PESOS": "MXN", "US": "USD", "MN": "MXN"}.get(key)


_VOCAB: dict[str, Callable[[str], str | None]] = {
    "caliber": firearms.canonical_caliber,
    "make": firearms.canonical_make,
    "firearm_type": firearms.canonical_firearm_type,
    "drug_type": firearms.canonical_drug_type,
    "state": places.canonical_state,
    "port": places.canonical_port,
    "nation": places.canonical_nation,
    "agency": _agency_code,
    "currency": _currency_code,
}


def _scheme_reader(scheme: str, profile: Profile) -> Callable[[str], str]:
    if scheme == "curp":
        return identifiers.normalize_curp
    if scheme == "rfc":
        return identifiers.normalize_rfc
    if scheme == "ssn":
        return identifiers.normalize_ssn
    if scheme == "vin":
        return identifiers.normalize_vin
    if scheme == "phone":
        region = profile.phone_region
        return lambda text: identifiers.normalize_phone(text, region)
    return lambda text: re.sub(r"\s+", " ", text.strip()).upper()


# --- type introspection ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Leaf:
    annotation: Any
    metadata: tuple[Any, ...]
    is_list: bool


def _unwrap(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    """Strip Optional and Annotated; return the core type and the Annotated metadata found."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            metadata.extend(annotation.__metadata__)
            annotation = annotation.__origin__
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation, tuple(metadata)
            annotation = args[0]
        else:
            return annotation, tuple(metadata)


_PATH_PART = re.compile(r"^([a-z_][a-z0-9_]*)(?:\[(\d+)\])?$")


def _resolve(model: type[BaseModel], path: str) -> tuple[list[tuple[str, int | None]], _Leaf]:
    parts: list[tuple[str, int | None]] = []
    current: Any = model
    leaf: _Leaf | None = None
    for piece in path.split("."):
        match = _PATH_PART.match(piece)
        if not match or not (isinstance(current, type) and issubclass(current, BaseModel)):
            raise ValueError(f"field path '{path}' does not exist in {model.__name__}")
        name, index = match.group(1), match.group(2)
        info = current.model_fields.get(name)
        if info is None or name in ("relations", "flags"):
            raise ValueError(f"field '{name}' of '{path}' does not exist in {current.__name__}")
        core, meta = _unwrap(info.annotation)
        meta = meta + tuple(info.metadata)
        is_list = typing.get_origin(core) is list
        if is_list:
            element, element_meta = _unwrap(typing.get_args(core)[0])
            meta = meta + element_meta
            core = element
        parts.append((name, int(index) if index is not None else None))
        if (
            is_list
            and index is None
            and isinstance(core, type)
            and issubclass(core, BaseModel)
            and core not in (Identifier,)
        ):
            raise ValueError(f"'{path}': give an index, e.g. '{name}[0]'")
        leaf = _Leaf(core, meta, is_list and index is None)
        current = core
    assert leaf is not None
    return parts, leaf


def _reader_for(leaf: _Leaf, spec: FieldSpec, profile: Profile, path: str) -> Reader:
    core, meta = leaf.annotation, leaf.metadata
    not_future = NOT_FUTURE in meta
    vocab_name = next((m.name for m in meta if isinstance(m, Vocab)), None)
    scheme = next((m.name for m in meta if isinstance(m, Scheme)), None)
    value_map = {fold(k): v for k, v in (spec.value_map or {}).items()}

    def mapped(text: str) -> str:
        return value_map.get(fold(text), text) if value_map else text

    if core is dt.date:
        order = spec.date_order or profile.date_order
        today = dt.date.today()  # once per load: a load that spans midnight is judged by its start
        on_invalid = spec.on_invalid

        def read_date(cell: Any) -> Any:
            try:
                return read_valid_date(cell)
            except NormalizationError as exc:
                if on_invalid == "flag":  # stored without the date, the row flagged for its steward
                    raise _Flagged(None, f"{exc.code}:{path}") from None
                raise

        def read_valid_date(cell: Any) -> Any:
            if isinstance(cell, dt.datetime):
                value = cell.date()
            elif isinstance(cell, dt.date):
                value = cell
            else:
                parsed = dates.parse_date(cell, order, today=today)
                if parsed.ambiguous:
                    raise _Flagged(None, f"ambiguous_date:{path}")
                value = parsed.value
            if not_future and value is not None and value > today:
                raise _issue(
                    "future_date",
                    f"date {value.isoformat()} is in the future",
                    f"la fecha {value.isoformat()} está en el futuro",
                )
            return value.isoformat() if value else None

        return read_date
    if core is dt.datetime:
        order = spec.date_order or profile.date_order

        def read_datetime(cell: Any) -> Any:
            if isinstance(cell, dt.datetime):
                value = cell if cell.tzinfo else cell.replace(tzinfo=dt.UTC)
            elif isinstance(cell, dt.date):
                value = dt.datetime(cell.year, cell.month, cell.day, tzinfo=dt.UTC)
            else:
                value = dates.parse_datetime(cell, order)
            if not_future and value > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
                raise _issue(
                    "future_date",
                    f"time {value.isoformat()} is in the future",
                    f"la fecha y hora {value.isoformat()} está en el futuro",
                )
            return value.isoformat()

        return read_datetime
    if isinstance(core, type) and issubclass(core, StrEnum):
        lookup = _enum_lookup(path.rsplit(".", 1)[-1], core)

        def read_enum(cell: Any) -> str:
            text = mapped(str(cell))
            found = lookup.get(fold(text))
            if found is None:
                allowed = ", ".join(m.value for m in core)
                raise _issue(
                    "invalid_code",
                    f"'{shorten(cell)}' is not one of {allowed}",
                    f"'{shorten(cell)}' no es uno de {allowed}",
                )
            return found

        return read_enum
    if core is bool:

        def read_bool(cell: Any) -> bool:
            key = fold(mapped(str(cell)))
            if key in _TRUE:
                return True
            if key in _FALSE:
                return False
            raise _issue(
                "invalid_bool",
                f"'{shorten(cell)}' is not yes/no",
                f"'{shorten(cell)}' no es sí/no",
            )

        return read_bool
    if core in (int, float, Decimal):
        number_format, scale = profile.number_format, spec.scale

        def read_number(cell: Any) -> Any:
            if (
                core is int
                and scale is None
                and not value_map
                and isinstance(cell, str)
                and cell.isascii()
                and cell.isdigit()
                and len(cell) <= 18
            ):
                return int(cell)
            text = _number_text(mapped(str(cell)), number_format)
            if len(text) > 40:  # a number that long is a data error, not a quantity
                raise _issue(
                    "invalid_number",
                    f"'{shorten(cell)}' is not a plausible number",
                    f"'{shorten(cell)}' no es un número plausible",
                )
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise _issue(
                    "invalid_number",
                    f"'{shorten(cell)}' is not a number",
                    f"'{shorten(cell)}' no es un número",
                ) from None
            if not number.is_finite():
                raise _issue(
                    "invalid_number",
                    f"'{shorten(cell)}' is not a number",
                    f"'{shorten(cell)}' no es un número",
                )
            if scale is not None:
                number *= Decimal(str(scale))
            if number < 0:
                raise _issue(
                    "negative_quantity",
                    f"{shorten(cell)} is negative",
                    f"{shorten(cell)} es negativo",
                )
            if core is int:
                if number != number.to_integral_value():
                    raise _issue(
                        "invalid_number",
                        f"'{shorten(cell)}' is not a whole number",
                        f"'{shorten(cell)}' no es un número entero",
                    )
                if number >= 2**63:  # "1e400" is short, but no count or year is that large
                    raise _issue(
                        "invalid_number",
                        f"'{shorten(cell)}' is not a plausible number",
                        f"'{shorten(cell)}' no es un número plausible",
                    )
                return int(number)
            return float(number) if core is float else str(number.normalize())

        return read_number
    if core is PersonName:
        convention = spec.convention or profile.name_convention

        def read_name(cell: Any) -> dict[str, Any]:
            name = names.parse_person_name(str(cell), convention)
            return _name_dict(name)

        return read_name
    if core is Serial:

        def read_serial(cell: Any) -> dict[str, Any]:
            serial = identifiers.normalize_serial(str(cell))
            return {
                "text": str(cell).strip(),
                "value": serial.normalized,
                "obliterated": serial.obliterated,
                "partial": serial.partial,
            }

        return read_serial
    if core is Plate:

        def read_plate(cell: Any) -> dict[str, Any]:
            plate = identifiers.normalize_plate(str(cell))
            return {"text": str(cell).strip(), "value": plate.number}

        return read_plate
    if vocab_name is not None:
        lookup_code = _VOCAB[vocab_name]

        required = spec.required
        label_en, label_es = vocabulary_label(vocab_name, "en"), vocabulary_label(vocab_name, "es")

        def read_coded(cell: Any) -> dict[str, Any]:
            text = str(cell).strip()
            code = lookup_code(mapped(text))
            if code is None:
                if required:
                    raise _issue(
                        f"unknown_{vocab_name}",
                        f"'{shorten(text)}' is not a known {label_en}",
                        f"'{shorten(text)}' no es un(a) {label_es} conocido(a)",
                    )
                raise _Flagged({"text": text}, f"unknown_{vocab_name}:{path}")
            return {"text": text, "code": code}

        return read_coded
    if core is Identifier:
        normalise = _scheme_reader(scheme or "text", profile)
        on_invalid = spec.on_invalid

        def read_identifier(cell: Any) -> dict[str, Any]:
            text = str(cell).strip()
            try:
                return {"text": text, "value": normalise(text)}
            except NormalizationError as exc:
                if on_invalid == "flag":
                    raise _Flagged({"text": text, "valid": False}, f"{exc.code}:{path}") from None
                raise

        return read_identifier
    if core is str:
        if leaf.is_list:
            separators = spec.split or ";"
            pattern = re.compile("[" + re.escape(separators) + "]")

            def read_list(cell: Any) -> list[str]:
                return [p for p in (clean(x) for x in pattern.split(str(cell))) if p]

            return read_list
        if not value_map:
            return lambda cell: clean(cell if isinstance(cell, str) else _text(cell))
        return lambda cell: clean(mapped(cell if isinstance(cell, str) else _text(cell)))
    raise ValueError(f"field '{path}' cannot be mapped from a column (type {core!r})")


def _name_dict(name: names.PersonName) -> dict[str, Any]:
    return {
        "original": name.original,
        "given_names": name.given_names,
        "paternal_surname": name.paternal_surname,
        "maternal_surname": name.maternal_surname,
        "given_key": name.given_key,
        "paternal_key": name.paternal_key,
        "maternal_key": name.maternal_key,
    }


# --- setters ---------------------------------------------------------------------------------


def _assign(target: dict[str, Any], parts: list[tuple[str, int | None]], value: Any, append: bool) -> None:
    node = target
    for i, (name, index) in enumerate(parts):
        last = i == len(parts) - 1
        if index is None:
            if last:
                if append:
                    node.setdefault(name, []).append(value)
                elif isinstance(value, dict) and isinstance(node.get(name), dict):
                    node[name] = {**value, **node[name]}
                else:
                    node[name] = value
                return
            node = node.setdefault(name, {})
        else:
            items = node.setdefault(name, [])
            while len(items) <= index:
                items.append({})
            if last:
                items[index] = value
                return
            node = items[index]


def _setter(parts: list[tuple[str, int | None]], append: bool) -> Callable[[dict[str, Any], Any], None]:
    """A setter for one field path, specialised for the common shapes (a hot path of every load)."""
    if not append and all(index is None for _, index in parts):
        names = [name for name, _ in parts]
        if len(names) == 1:
            (only,) = names

            def set_top(doc: dict[str, Any], value: Any) -> None:
                doc[only] = value

            return set_top
        if len(names) == 2:
            outer, inner = names

            def set_nested(doc: dict[str, Any], value: Any) -> None:
                node = doc.get(outer)
                if node is None:
                    doc[outer] = {inner: value}
                elif isinstance(value, dict) and isinstance(node.get(inner), dict):
                    node[inner] = {**value, **node[inner]}
                else:
                    node[inner] = value

            return set_nested
    return lambda doc, value: _assign(doc, parts, value, append)


class _Template:
    """A compiled ``{Column Name}`` template; column names may hold spaces and dots."""

    __slots__ = ("columns", "pieces", "single")

    def __init__(self, template: str) -> None:
        self.pieces: list[tuple[bool, str]] = []  # (is_column, text)
        position = 0
        for match in TEMPLATE_FIELD.finditer(template):
            if match.start() > position:
                self.pieces.append((False, template[position : match.start()]))
            self.pieces.append((True, match.group(1)))
            position = match.end()
        if position < len(template):
            self.pieces.append((False, template[position:]))
        self.columns = tuple(text for is_column, text in self.pieces if is_column)
        only = self.pieces[0] if len(self.pieces) == 1 else None
        self.single = only[1] if only and only[0] else None

    def render(self, values: dict[str, Cell]) -> str:
        if self.single is not None:
            return _text(values.get(self.single, ""))
        return "".join(_text(values.get(text, "")) if is_column else text for is_column, text in self.pieces)


def _text(value: Cell | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.isoformat()


_SPACES = re.compile(r"\s+")
_VALUE_OBJECTS = (Plate, Serial, Identifier)  # PersonName parts build a name instead


@dataclass(slots=True)
class _Field:
    path: str  # as shown to a steward, with the record's key in front when a row has several records
    parts: list[tuple[str, int | None]]
    spec: FieldSpec
    read: Reader
    append: bool  # one list element per source column
    parent: str | None  # a part of a value object (plate.issuer) is kept only with its parent
    column: str | None  # the single source column, the common case
    template: _Template | None
    set: Callable[[dict[str, Any], Any], None]
    cache: dict[str, tuple[str, Any]] = dataclasses.field(default_factory=dict)

    def source(self, values: dict[str, Cell]) -> list[Any]:
        spec = self.spec
        if spec.columns is not None:
            cells = [c for c in (values.get(c, "") for c in spec.columns) if c != "" and c is not None]
            if self.append:
                return cells
            return [" ".join(_text(c) for c in cells)] if cells else []
        if self.template is not None:
            text = _SPACES.sub(" ", self.template.render(values)).strip()
            return [text] if text else []
        return [spec.value] if spec.value is not None else []

    def missing(self, why_en: str, why_es: str) -> RowIssue:
        cols = ", ".join(self.spec.source_columns()) or self.path
        return RowIssue(
            "missing_value", f"{self.path}: {why_en} ({cols})", f"{self.path}: {why_es} ({cols})", self.path
        )


def _compile_fields(
    model: type[BaseModel], fields: dict[str, FieldSpec], profile: Profile, where: str, prefix: str
) -> list[_Field]:
    compiled = []
    for path, spec in fields.items():
        try:
            parts, leaf = _resolve(model, path)
            read = _reader_for(leaf, spec, profile, path)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from exc
        append = leaf.is_list and leaf.annotation is not str
        parent = None
        if len(parts) > 1:
            _, parent_leaf = _resolve(model, path.rsplit(".", 1)[0])
            if parent_leaf.annotation in _VALUE_OBJECTS:
                parent = parts[-2][0]
        compiled.append(
            _Field(
                prefix + path,
                parts,
                spec,
                read,
                append,
                parent,
                spec.column,
                _Template(spec.template) if spec.template is not None else None,
                _setter(parts, append),
            )
        )
    # plain values first so that a nested part (plate.issuer) merges into its parent (plate)
    compiled.sort(key=lambda f: len(f.parts))
    return compiled


# Field values repeat (dates, states, makes, calibers, municipalities): each field remembers what
# it made of a cell, so a repeated value costs a dictionary lookup.
OK, _FAILED, _FLAGGED = "ok", "failed", "flagged"
_CACHE_LIMIT = 100_000


def read_cell(field: _Field, cell: Any) -> tuple[str, Any]:
    """What a field's reader makes of one cell: (OK, value), (FAILED, error) or (FLAGGED, _Flagged)."""
    try:
        return (OK, field.read(cell))
    except NormalizationError as exc:
        return (_FAILED, exc)
    except (ValueError, ArithmeticError) as exc:  # a reader's own check missed this value
        return (
            _FAILED,
            NormalizationError(
                "invalid_value",
                f"'{shorten(cell)}' cannot be read ({exc})",
                f"'{shorten(cell)}' no se puede leer ({exc})",
            ),
        )
    except _Flagged as flagged:
        return (_FLAGGED, flagged)


def _fill(
    fields: list[_Field],
    values: dict[str, Cell],
    doc: dict[str, Any],
    issues: list[RowIssue],
    flags: list[str],
) -> None:
    for field in fields:
        if field.parent is not None and field.parent not in _container(doc, field.parts):
            continue
        if field.column is not None:
            cell = values.get(field.column, "")
            if cell == "" or cell is None:
                if field.spec.required:
                    issues.append(field.missing("required value is empty", "falta el valor obligatorio"))
                continue
            cells: list[Any] = [cell]
        else:
            cells = field.source(values)
            if not cells:
                if field.spec.required:
                    issues.append(field.missing("required value is empty", "falta el valor obligatorio"))
                continue
        cache = field.cache
        for cell in cells:
            outcome = cache.get(cell) if type(cell) is str else None
            if outcome is None:
                outcome = read_cell(field, cell)
                if type(cell) is str:
                    if len(cache) >= _CACHE_LIMIT:
                        cache.clear()
                    cache[cell] = outcome
            kind, payload = outcome
            if kind is _FAILED:
                issues.append(
                    RowIssue(
                        payload.code, f"{field.path}: {payload.en}", f"{field.path}: {payload.es}", field.path
                    )
                )
                continue
            if kind is _FLAGGED:
                flags.append(payload.flag)
                payload = payload.value
            # a cached value is shared: give each record its own copy of a mutable one
            value = (
                dict(payload)
                if type(payload) is dict
                else list(payload)
                if type(payload) is list
                else payload
            )
            if value is None or value == []:
                # a field read "on_invalid: flag" keeps its row when its value cannot be read: the
                # record is stored without it, flagged; "required" then asks only for a non-empty cell
                if field.spec.required and not (kind is _FLAGGED and field.spec.on_invalid == "flag"):
                    issues.append(field.missing("no usable value", "sin valor utilizable"))
                continue
            field.set(doc, value)


def _container(doc: dict[str, Any], parts: list[tuple[str, int | None]]) -> dict[str, Any]:
    node: Any = doc
    for name, index in parts[:-2]:
        node = node.get(name, {}) if isinstance(node, dict) else {}
        if index is not None:
            node = node[index] if isinstance(node, list) and len(node) > index else {}
    return node if isinstance(node, dict) else {}


# --- post-processing per record type -------------------------------------------------------------


def _finish_person(doc: dict[str, Any]) -> None:
    name = doc.get("name")
    if isinstance(name, dict) and "original" not in name:
        built = names.build_person_name(
            name.get("given_names"), name.get("paternal_surname"), name.get("maternal_surname")
        )
        doc["name"] = _name_dict(built)


def _finish_organization(doc: dict[str, Any]) -> None:
    if doc.get("name"):
        doc["name_key"] = fold(doc["name"])


def _finish_vehicle(doc: dict[str, Any]) -> None:
    vin = doc.get("vin")
    if isinstance(vin, dict) and vin.get("value"):
        decoded = identifiers.decode_vin(vin["value"])
        doc.setdefault("vin_country", decoded.get("country"))
        doc.setdefault("vin_manufacturer", decoded.get("manufacturer"))
        doc.setdefault("vin_model_year", decoded.get("model_year"))


def _finish_trace(doc: dict[str, Any]) -> None:
    if "time_to_crime_days" not in doc and doc.get("purchased_on") and doc.get("recovered_on"):
        days = (dt.date.fromisoformat(doc["recovered_on"]) - dt.date.fromisoformat(doc["purchased_on"])).days
        if days >= 0:
            doc["time_to_crime_days"] = days


_FINISH: dict[str, Callable[[dict[str, Any]], None]] = {
    "person": _finish_person,
    "organization": _finish_organization,
    "vehicle": _finish_vehicle,
    "trace_request": _finish_trace,
}
# The top-level keys each hook reads and writes (and nothing else): the batch mapper computes these
# keys together, once per distinct combination of the cells that feed them.
FINISH_KEYS: dict[str, tuple[str, ...]] = {
    "person": ("name",),
    "organization": ("name", "name_key"),
    "vehicle": ("vin", "vin_country", "vin_manufacturer", "vin_model_year"),
    "trace_request": ("purchased_on", "recovered_on", "time_to_crime_days"),
}


# --- the compiled profile ----------------------------------------------------------------------


@dataclass(slots=True)
class _Item:
    kind: str
    when: tuple[str, ...]
    fields: list[_Field]


@dataclass(slots=True)
class _Spec:
    type: str
    ref: str
    prefix: str
    model: type[Record]
    id: _Template
    when: tuple[str, ...]
    fields: list[_Field]
    items: list[_Item]
    relations: list[tuple[str, str]]  # (kind, ref of the other record)
    finish: Callable[[dict[str, Any]], None] | None
    validate: Callable[[dict[str, Any]], Any]


def _present(values: dict[str, Cell], columns: tuple[str, ...]) -> bool:
    for column in columns:
        value = values.get(column, "")
        if value != "" and value is not None:
            return True
    return False


def _check_grantees(profile: Profile, markings: Markings) -> None:
    """Markings may only name nations and agencies Puente knows: a typo must not hide or leak data."""
    unknown = vocab.unknown_grantees([markings.owner, *markings.grantees()])
    if unknown:
        names = ", ".join(unknown)
        raise LoadError(
            "bad_profile",
            f"profile {profile.name}: markings name unknown nations or agencies: {names}",
            f"perfil {profile.name}: las marcas nombran países o dependencias desconocidos: {names}",
        )


class RowMapper:
    """Maps one row (column -> value) to the canonical records it states."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.owner = profile.agency
        self.markings = Markings(owner=profile.agency, **profile.markings.model_dump())
        _check_grantees(profile, self.markings)
        self.markings_json = orjson.dumps(self.markings.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
        self._specs: list[_Spec] = []
        try:
            self._compile(profile)
        except ValueError as exc:
            raise LoadError(
                "bad_profile",
                f"profile {profile.name} does not fit the model: {exc}",
                f"el perfil {profile.name} no corresponde al modelo: {exc}",
            ) from exc

    def _compile(self, profile: Profile) -> None:
        several = len(profile.records) > 1
        for spec in profile.records:
            model = RECORD_TYPES[spec.type]
            where = f"profile {profile.name}, record '{spec.ref}'"
            prefix = f"{spec.ref}." if several else ""
            fields = _compile_fields(model, spec.fields, profile, where, prefix)
            items = [
                _Item(
                    item.kind,
                    item.when,
                    _compile_fields(
                        ITEM_TYPES[item.kind],
                        item.fields,
                        profile,
                        f"{where}, item {item.kind}",
                        f"{prefix}items.{item.kind}.",
                    ),
                )
                for item in spec.items
            ]
            if items and "items" not in model.model_fields:
                raise ValueError(f"{where}: a {spec.type} has no items")
            self._specs.append(
                _Spec(
                    spec.type,
                    spec.ref,
                    prefix,
                    model,
                    _Template(spec.id),
                    spec.when,
                    fields,
                    items,
                    [(r.kind, r.to) for r in spec.relations],
                    _FINISH.get(spec.type),
                    model.__pydantic_validator__.validate_python,
                )
            )

    def map_row(self, values: dict[str, Cell]) -> tuple[list[BuiltRecord], list[RowIssue]]:
        issues: list[RowIssue] = []
        docs: list[tuple[_Spec, dict[str, Any]]] = []
        ids: dict[str, str] = {}
        owner = self.owner
        for compiled in self._specs:
            if compiled.when and not _present(values, compiled.when):
                continue
            source_id = compiled.id.render(values).strip()
            missing = [c for c in compiled.id.columns if values.get(c, "") in ("", None)]
            if missing:
                issues.append(
                    RowIssue(
                        "missing_id",
                        f"{compiled.prefix}id: the id column(s) {', '.join(missing)} are empty",
                        f"{compiled.prefix}id: la(s) columna(s) de identificador {', '.join(missing)} "
                        "están vacías",
                        ", ".join(missing),
                    )
                )
                continue
            flags: list[str] = []
            doc: dict[str, Any] = {"source_id": source_id}
            _fill(compiled.fields, values, doc, issues, flags)
            for item in compiled.items:
                if item.when and not _present(values, item.when):
                    continue
                item_doc: dict[str, Any] = {"kind": item.kind}
                _fill(item.fields, values, item_doc, issues, flags)
                doc.setdefault("items", []).append(item_doc)
            if flags:
                doc["flags"] = flags
            if compiled.finish is not None:
                try:
                    compiled.finish(doc)
                except NormalizationError as exc:  # e.g. name parts with no letters in them
                    issues.append(
                        RowIssue(
                            exc.code,
                            f"{compiled.prefix}{exc.en}",
                            f"{compiled.prefix}{exc.es}",
                            compiled.prefix.rstrip(".") or None,
                        )
                    )
                    continue
            ids[compiled.ref] = f"{owner}:{compiled.type}:{source_id}"
            docs.append((compiled, doc))
        if issues:
            return [], issues
        built: list[BuiltRecord] = []
        markings_json = self.markings_json
        for compiled, doc in docs:
            if compiled.relations:
                relations = [
                    {"kind": kind, "target": ids[ref]} for kind, ref in compiled.relations if ref in ids
                ]
                if relations:
                    doc["relations"] = relations
            try:
                compiled.validate(doc)
            except ValidationError as exc:
                issues.extend(
                    from_validation_error(e, compiled.prefix) for e in exc.errors(include_url=False)
                )
                continue
            # The readers already produce canonical JSON values (ISO dates, codes, decimal strings) and
            # the model has accepted them: serialising the checked document directly is several times
            # cheaper than dumping the model, and gives the same record (tests hold both equal).
            canonical = orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)
            digest = hashlib.sha256(canonical)
            digest.update(markings_json)
            rid = ids[compiled.ref]
            built.append(BuiltRecord(compiled.type, rid, canonical.decode(), digest.hexdigest()))
        if issues:
            return [], issues
        if not built:
            issues.append(
                RowIssue(
                    "no_records",
                    "the row states no record: every record's condition columns are empty",
                    "la fila no contiene ningún registro: las columnas de condición están vacías",
                )
            )
        return built, issues
