"""Map a batch of rows at once: each part of a record is worked out once per distinct input.

Row by row, a load spends most of its time walking the profile: for each field of each row, find
the cell, call its reader, set the value, validate the whole document, serialise it. Yet most of
that repeats: dates, states, makes, calibers and names recur all through a file. Here a record's
document is cut into its top-level keys (and an object such as ``firearm`` or ``addresses[0]`` into
its own keys). Each key, or the few keys a finishing hook reads and writes together, is a function
of a few source cells: it is computed through the very same field readers, hooks and pydantic
field validators, once per distinct combination of those cells, and kept as its exact canonical
JSON fragment. A row's record is then the join of its keys' fragments in key order: byte for byte
what ``RowMapper.map_row`` serialises (a test holds the two equal over whole worlds), at a fraction
of the cost.

A row with anything to report (an issue, a flag, a missing id or required value, a value the model
refuses) is mapped by ``RowMapper.map_row`` instead, so that its quarantine entry and its flags are
the row mapper's own. A profile whose shape this module does not cut (see ``_Unsupported``) is
mapped row by row throughout.
"""

from __future__ import annotations

import hashlib
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError, create_model

from puente.ingest.issues import RowIssue
from puente.ingest.mapping import (
    FINISH_KEYS,
    OK,
    BuiltRecord,
    RowMapper,
    _Field,
    _fill,
    _Spec,
    _Template,
    _text,
    _unwrap,
    read_cell,
)
from puente.ingest.readers import Cell
from puente.model.records import ITEM_TYPES
from puente.normalize.errors import NormalizationError

Mapped = tuple[list[BuiltRecord], list[RowIssue]]
Fragment = bytes | None  # '"key":value' as canonical JSON, or None where the key is absent
_SORT = orjson.OPT_SORT_KEYS
_CACHE_LIMIT = 200_000  # distinct inputs kept per group; past that the group starts afresh
_MAX_KEYS = 16


class _Unsupported(Exception):
    """A profile shape the batch mapper does not cut: such a profile is mapped row by row."""


class _Slow(tuple):  # type: ignore[type-arg]
    """The outcome of an input that the row mapper must handle (it has something to report)."""


_SLOW = _Slow((None,) * _MAX_KEYS)


def _no_validators(model: type[BaseModel]) -> None:
    decorators = model.__pydantic_decorators__
    if decorators.model_validators or decorators.field_validators:
        raise _Unsupported(f"{model.__name__} has validators of its own")


@cache
def _key_validator(model: type[BaseModel], key: str) -> Callable[[Any], Any]:
    """Validates ``{key: value}`` exactly as ``model`` validates that one field."""
    info = model.model_fields[key]
    single = create_model(f"{model.__name__}_{key}", **{key: (info.annotation, info)})  # type: ignore[call-overload]
    return single.__pydantic_validator__.validate_python  # type: ignore[no-any-return]


def _checked_fragment(validate: Callable[[Any], Any], key: str, value: Any) -> bytes | None:
    """'"key":value' once the model accepts the value; None when it does not (or JSON cannot hold it)."""
    try:
        validate({key: value})
        return orjson.dumps(key) + b":" + orjson.dumps(value, option=_SORT)
    except (ValidationError, TypeError):
        return None


# --- columns of a batch ----------------------------------------------------------------------------


class _Columns(dict[str, list[Cell]]):
    """Column name -> the batch's cells in that column, made on first use."""

    def __init__(self, rows: Sequence[dict[str, Cell]]) -> None:
        super().__init__()
        self.rows = rows

    def __missing__(self, column: str) -> list[Cell]:
        cells = [r.get(column, "") for r in self.rows]
        self[column] = cells
        return cells


def _is_empty(cell: Any) -> bool:
    return cell == "" or cell is None


def _present(cols: _Columns, when: tuple[str, ...], n: int) -> list[bool]:
    if not when:
        return [True] * n
    if len(when) == 1:
        return [not _is_empty(c) for c in cols[when[0]]]
    return [any(not _is_empty(c) for c in cells) for cells in zip(*(cols[c] for c in when), strict=True)]


def _render(template: _Template, cols: _Columns, n: int) -> list[str]:
    if template.single is not None:
        return [_text(c) for c in cols[template.single]]
    pieces = [cols[text] if is_column else [text] * n for is_column, text in template.pieces]
    return ["".join(map(_text, parts)) for parts in zip(*pieces, strict=True)]


# --- groups: keys computed together, once per distinct input --------------------------------------


@dataclass(slots=True)
class _Group:
    keys: tuple[str, ...]  # the keys it yields, at the top of the record or inside ``under``
    fields: list[_Field]  # in the row mapper's order
    columns: tuple[str, ...]  # the cells it depends on
    under: tuple[str, int | None] | None  # (key, list index) of the object holding ``keys``
    finish: Callable[[dict[str, Any]], None] | None
    validators: tuple[Callable[[Any], Any], ...]
    cache: dict[Any, tuple[Fragment, ...]] = field(default_factory=dict)
    simple: bool = False  # one field read from one column straight into its key: no document needed

    def outcomes(self, cols: _Columns, n: int) -> list[tuple[Fragment, ...]]:
        if not self.columns:
            return [self._outcome(())] * n
        inputs: list[Any] = (
            cols[self.columns[0]]
            if len(self.columns) == 1
            else list(zip(*(cols[c] for c in self.columns), strict=True))
        )
        known = self.cache
        new = {k for k in inputs if k not in known}
        if new:
            if len(known) + len(new) > _CACHE_LIMIT:
                known.clear()
                new = set(inputs)
            for k in new:
                known[k] = self._compute(k)
        return list(map(known.__getitem__, inputs))

    def _outcome(self, key: Any) -> tuple[Fragment, ...]:
        if key not in self.cache:
            self.cache[key] = self._compute(key)
        return self.cache[key]

    def _compute(self, key: Any) -> tuple[Fragment, ...]:
        if self.simple:
            return self._compute_simple(key)
        if len(self.columns) == 1:
            values = {self.columns[0]: key}
        else:
            values = dict(zip(self.columns, key, strict=True))
        doc: dict[str, Any] = {}
        issues: list[RowIssue] = []
        flags: list[str] = []
        _fill(self.fields, values, doc, issues, flags)
        if issues or flags:
            return _SLOW
        if self.finish is not None:
            try:
                self.finish(doc)
            except NormalizationError:
                return _SLOW
        node: Any = doc
        if self.under is not None:
            name, index = self.under
            node = doc.get(name, [] if index is not None else {})
            if index is not None:
                node = node[index] if len(node) > index else {}
            if set(doc) - {name}:
                return _SLOW
        elif set(doc) - set(self.keys):
            return _SLOW  # a key this group was not meant to touch: let the row mapper say what it is
        if set(node) - set(self.keys):
            return _SLOW
        out: list[Fragment] = []
        for name, validate in zip(self.keys, self.validators, strict=True):
            if name not in node:
                out.append(None)
                continue
            fragment = _checked_fragment(validate, name, node[name])
            if fragment is None:
                return _SLOW
            out.append(fragment)
        return tuple(out)

    def _compute_simple(self, cell: Any) -> tuple[Fragment, ...]:
        """``_compute`` for the common shape: the steps of ``_fill`` for one cell, without a document."""
        f = self.fields[0]
        if cell == "" or cell is None:
            return _SLOW if f.spec.required else (None,)
        kind, value = read_cell(f, cell)
        if kind is not OK:
            return _SLOW
        if value is None or value == []:
            return _SLOW if f.spec.required else (None,)
        fragment = _checked_fragment(self.validators[0], self.keys[0], value)
        return _SLOW if fragment is None else (fragment,)


def _group(
    model: type[BaseModel],
    keys: Sequence[str],
    fields: list[_Field],
    under: tuple[str, int | None] | None,
    finish: Callable[[dict[str, Any]], None] | None,
) -> _Group:
    columns: list[str] = []
    for f in fields:
        for c in f.spec.source_columns():
            if c not in columns:
                columns.append(c)
    keys = tuple(sorted(keys))
    if len(keys) >= _MAX_KEYS:
        raise _Unsupported("too many keys computed together")
    depth = 1 if under is None else 2
    simple = (
        finish is None
        and len(fields) == 1
        and fields[0].column is not None
        and not fields[0].append
        and fields[0].parent is None
        and len(fields[0].parts) == depth
        and fields[0].parts[-1][1] is None
    )
    validators = tuple(_key_validator(model, k) for k in keys)
    return _Group(keys, fields, tuple(columns), under, finish, validators, simple=simple)


# --- objects: a record, a seizure item, or a nested value whose keys are computed apart -----------


@dataclass(slots=True)
class _Key:
    name: str
    group: _Group | None = None  # the key's fragment is item ``index`` of this group's outcome
    index: int = 0
    nested: _Object | None = None  # or the key's value is an object made of its own keys
    in_list: bool = False  # the nested object is the one element of a list (addresses[0])
    prefix: bytes = b""


@dataclass(slots=True)
class _Object:
    keys: list[_Key]  # in key order
    groups: list[_Group]
    required: tuple[str, ...]  # keys the model requires

    def columns(self, cols: _Columns, n: int, slow: set[int], live: list[bool]) -> dict[str, list[Fragment]]:
        """Each key's fragments for the batch; rows (among ``live``) the row mapper must take go in
        ``slow``."""
        outcomes: dict[int, list[tuple[Fragment, ...]]] = {}
        for group in self.groups:
            outs = group.outcomes(cols, n)
            if _SLOW in outs:
                slow.update(j for j, o in enumerate(outs) if o is _SLOW and live[j])
            outcomes[id(group)] = outs
        frags: dict[str, list[Fragment]] = {}
        for key in self.keys:
            if key.nested is None:
                assert key.group is not None
                i = key.index
                frags[key.name] = [o[i] for o in outcomes[id(key.group)]]
                continue
            inner = key.nested.columns(cols, n, slow, live)
            opening, closing = (b"[{", b"}]") if key.in_list else (b"{", b"}")
            head = key.prefix + opening
            frags[key.name] = [
                head + b",".join(filter(None, parts)) + closing if any(parts) else None
                for parts in zip(*inner.values(), strict=True)
            ]
        for name in self.required:
            column = frags[name]
            slow.update(j for j in range(n) if column[j] is None and live[j])
        return frags


def _object(
    model: type[BaseModel],
    fields: list[_Field],
    finish: Callable[[dict[str, Any]], None] | None = None,
    finish_keys: tuple[str, ...] = (),
    reserved: tuple[str, ...] = (),
) -> _Object:
    _no_validators(model)
    by_key: dict[str, list[_Field]] = {}
    for f in fields:
        by_key.setdefault(f.parts[0][0], []).append(f)
    if set(by_key) & set(reserved):
        raise _Unsupported(f"a field is mapped to one of {reserved}")
    keys: list[_Key] = []
    groups: list[_Group] = []
    if finish is not None:
        hooked = [f for f in fields if f.parts[0][0] in finish_keys]
        group = _group(model, finish_keys, hooked, None, finish)
        groups.append(group)
        keys.extend(_Key(name, group, i) for i, name in enumerate(group.keys))
    for name, feeding in by_key.items():
        if name in finish_keys:
            continue
        nested = _nested(model, name, feeding)
        if nested is not None:
            sub, in_list = nested
            keys.append(_Key(name, nested=sub, in_list=in_list, prefix=orjson.dumps(name) + b":"))
            continue
        group = _group(model, (name,), feeding, None, None)
        groups.append(group)
        keys.append(_Key(name, group, 0))
    keys.sort(key=lambda k: k.name)
    required = tuple(k.name for k in keys if model.model_fields[k.name].is_required())
    missing = [
        name
        for name, info in model.model_fields.items()
        if info.is_required() and name not in {k.name for k in keys} and name not in reserved
    ]
    if missing:
        raise _Unsupported(f"required field(s) {', '.join(missing)} are never mapped")
    return _Object(keys, groups, required)


def _nested(model: type[BaseModel], name: str, fields: list[_Field]) -> tuple[_Object, bool] | None:
    """An object key (``firearm``, ``place``, ``addresses[0]``) whose own keys can be computed apart."""
    if not all(
        len(f.parts) == 2 and f.parts[1][1] is None and f.parent is None and not f.append for f in fields
    ):
        return None
    indexes = {f.parts[0][1] for f in fields}
    if len(indexes) != 1 or next(iter(indexes)) not in (None, 0):
        return None
    index = next(iter(indexes))
    core, _ = _unwrap(model.model_fields[name].annotation)
    if index is not None:
        if typing.get_origin(core) is not list:
            return None
        core, _ = _unwrap(typing.get_args(core)[0])
    if not (isinstance(core, type) and issubclass(core, BaseModel)):
        return None
    if any(info.is_required() for info in core.model_fields.values()):
        return None  # computed as one value, which its model then checks whole
    _no_validators(core)
    by_sub: dict[str, list[_Field]] = {}
    for f in fields:
        by_sub.setdefault(f.parts[1][0], []).append(f)
    keys: list[_Key] = []
    groups: list[_Group] = []
    for sub, feeding in sorted(by_sub.items()):
        group = _group(core, (sub,), feeding, (name, index), None)
        groups.append(group)
        keys.append(_Key(sub, group, 0))
    return _Object(keys, groups, ()), index is not None


# --- records ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _ItemPlan:
    when: tuple[str, ...]
    body: _Object
    order: list[str]  # the item's keys, "kind" among them
    kind: bytes  # '"kind":"firearm"'


@dataclass(slots=True)
class _RecordPlan:
    spec: _Spec
    body: _Object
    items: list[_ItemPlan]
    relations: list[tuple[bytes, str]]  # ('{"kind":"purchaser","target":', ref of the other record)
    order: list[str]  # the record's keys but "relations", in key order
    relations_at: int  # where "relations" goes among them


_OWN_KEYS = ("source_id", "relations", "items", "flags")


def _record_plan(compiled: _Spec) -> _RecordPlan:
    finish_keys = FINISH_KEYS.get(compiled.type, ()) if compiled.finish is not None else ()
    if compiled.finish is not None and not finish_keys:
        raise _Unsupported(f"the {compiled.type} hook does not say which keys it touches")
    body = _object(compiled.model, compiled.fields, compiled.finish, finish_keys, _OWN_KEYS)
    items = []
    for item in compiled.items:
        item_body = _object(ITEM_TYPES[item.kind], item.fields, reserved=("kind",))
        order = sorted([k.name for k in item_body.keys] + ["kind"])
        items.append(_ItemPlan(item.when, item_body, order, b'"kind":' + orjson.dumps(item.kind)))
    relations = []
    for kind, ref in compiled.relations:
        if not 1 <= len(kind) <= 40:
            raise _Unsupported("a relation kind the model refuses")
        relations.append((b'{"kind":' + orjson.dumps(kind) + b',"target":', ref))
    keys = sorted({k.name for k in body.keys} | {"source_id", "relations"} | ({"items"} if items else set()))
    at = keys.index("relations")
    keys.remove("relations")
    return _RecordPlan(compiled, body, items, relations, keys, at)


def _items(plan: _RecordPlan, cols: _Columns, n: int, slow: set[int], live: list[bool]) -> list[Fragment]:
    item_columns = []
    for item in plan.items:
        present = _present(cols, item.when, n)
        both = [a and b for a, b in zip(live, present, strict=True)]
        inner = item.body.columns(cols, n, slow, both)
        inner["kind"] = [item.kind] * n
        ordered = [inner[k] for k in item.order]
        item_columns.append(
            [
                b"{" + b",".join(filter(None, parts)) + b"}" if there else None
                for there, parts in zip(present, zip(*ordered, strict=True), strict=True)
            ]
        )
    return [
        b'"items":[' + b",".join(filter(None, parts)) + b"]" if any(parts) else None
        for parts in zip(*item_columns, strict=True)
    ]


@dataclass(slots=True)
class _Batch:
    """One record type's columns over a batch."""

    plan: _RecordPlan
    live: list[bool]  # the row states this record (its condition columns are not all empty)
    record_ids: list[str]
    ordered: list[list[Fragment]]  # per key but "relations", in key order


class BatchMapper:
    """Maps a batch of rows to the records each states, as ``RowMapper.map_row`` would, row by row."""

    def __init__(self, mapper: RowMapper) -> None:
        self.mapper = mapper
        self.plans: list[_RecordPlan] | None
        try:
            self.plans = [_record_plan(s) for s in mapper._specs]
        except _Unsupported:
            self.plans = None

    def map_rows(self, rows: Sequence[dict[str, Cell] | None]) -> list[Mapped]:
        """``rows``: column -> cell, or None for a row that could not be read (it maps to nothing)."""
        readable = [j for j, r in enumerate(rows) if r is not None]
        out: list[Mapped] = [([], [])] * len(rows)
        batch: list[dict[str, Cell]] = [rows[j] for j in readable]  # type: ignore[misc]
        if self.plans is None:
            mapped = [self.mapper.map_row(r) for r in batch]
        else:
            mapped = self._map(batch) if batch else []
        for j, m in zip(readable, mapped, strict=True):
            out[j] = m
        return out

    def _map(self, rows: list[dict[str, Cell]]) -> list[Mapped]:
        assert self.plans is not None
        n = len(rows)
        cols = _Columns(rows)
        slow: set[int] = set()
        owner = self.mapper.owner
        batches: list[_Batch] = []
        for plan in self.plans:
            spec = plan.spec
            live = _present(cols, spec.when, n)
            source_ids = [s.strip() for s in _render(spec.id, cols, n)]
            for column in spec.id.columns:
                slow.update(j for j, c in enumerate(cols[column]) if live[j] and _is_empty(c))
            slow.update(j for j, s in enumerate(source_ids) if live[j] and not 1 <= len(s) <= 200)
            frags = plan.body.columns(cols, n, slow, live)
            frags["source_id"] = [b'"source_id":' + orjson.dumps(s) for s in source_ids]
            if plan.items:
                frags["items"] = _items(plan, cols, n, slow, live)
            record_ids = [f"{owner}:{spec.type}:{s}" for s in source_ids]
            batches.append(_Batch(plan, live, record_ids, [frags[k] for k in plan.order]))
        by_ref = {b.plan.spec.ref: b for b in batches}
        result: list[Mapped] = []
        for j in range(n):
            built = None if j in slow else self._records(j, batches, by_ref)
            result.append((built, []) if built else self.mapper.map_row(rows[j]))
        return result

    def _records(self, j: int, batches: list[_Batch], by_ref: dict[str, _Batch]) -> list[BuiltRecord] | None:
        """Row ``j``'s records, or None when the row mapper must take it."""
        markings_json = self.mapper.markings_json
        built: list[BuiltRecord] = []
        for b in batches:
            if not b.live[j]:
                continue
            parts = [column[j] for column in b.ordered]
            plan = b.plan
            if plan.relations:
                links = []
                for head, ref in plan.relations:
                    other = by_ref.get(ref)
                    if other is not None and other.live[j]:
                        target = other.record_ids[j]
                        if len(target) > 300:
                            return None
                        links.append(head + orjson.dumps(target) + b"}")
                if links:
                    parts.insert(plan.relations_at, b'"relations":[' + b",".join(links) + b"]")
            canonical = b"{" + b",".join(filter(None, parts)) + b"}"
            digest = hashlib.sha256(canonical)
            digest.update(markings_json)
            built.append(BuiltRecord(plan.spec.type, b.record_ids[j], canonical.decode(), digest.hexdigest()))
        return built or None
