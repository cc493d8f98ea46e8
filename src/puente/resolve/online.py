"""Online matching: one new person record against the entities already resolved.

The matcher keeps every person's compared fields and blocking keys in memory (built once from the
store), scores a new record against the records that share a key with it, and joins it to the
best entity whose records it does not clearly contradict, with the same model, threshold and
rules as the batch. ``resolve_new`` applies it to the records a load has just stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import polars as pl
from sqlalchemy import insert, select

from puente.policy import audit
from puente.policy.principals import SYSTEM
from puente.resolve import persons
from puente.resolve.batch import ENTITY_TYPE, THRESHOLD, new_entity_id, person_frame
from puente.resolve.cluster import conflicts
from puente.resolve.compare import COMPARISONS, MAX_BLOCK, blocking_keys, compare_pair, record_keys
from puente.resolve.explain import explain
from puente.resolve.model import TF_FIELDS, Model, term_frequencies
from puente.store.db import Database
from puente.store.schema import entity_links, entity_members, record_versions, records, resolution_runs

_TF_INDEX = {c.name: k for k, c in enumerate(COMPARISONS) if c.name in TF_FIELDS}


@dataclass(frozen=True)
class OnlineMatch:
    record_id: str
    entity_id: str | None  # None: no entity is close enough; the record starts one
    weight: float
    partner: str | None  # the record of the entity it matched best
    why_en: str
    why_es: str
    levels: tuple[int, ...]
    candidates: int


def model_from(stored: dict[str, Any], f: pl.DataFrame) -> Model:
    """The model a run stored (m, u, prior), with term frequencies counted on the records now."""
    m, u = [], []
    for c in COMPARISONS:
        levels = stored["comparisons"][c.name]
        m.append(np.array([levels[lv]["m"] for lv in c.levels]))
        u.append(np.array([levels[lv]["u"] for lv in c.levels]))
    return Model(m=m, u=u, prior=float(stored["prior"]), tf=term_frequencies(f))


class OnlineMatcher:
    def __init__(
        self, f: pl.DataFrame, entity_of: list[str | None], model: Model, threshold: float = THRESHOLD
    ):
        self.rows = _Rows(f)
        self.entity = list(entity_of)
        self.model, self.threshold = model, threshold
        self.base = float(np.log2(model.prior / (1 - model.prior)))
        self.table = model.weights()
        # the batch's blocking keys, by column: a million records' keys in seconds, not minutes
        keys = pl.concat([frame.select("key", "i") for frame in blocking_keys(f)]).unique().collect()
        grouped = keys.group_by("key").agg(pl.col("i").sort())
        self.index: dict[str, list[int]] = dict(
            zip(grouped["key"].to_list(), grouped["i"].to_list(), strict=True)
        )

    def _weights(self, new: dict[str, Any], observed: np.ndarray) -> np.ndarray:
        total = np.full(observed.shape[0], self.base)
        for k in range(observed.shape[1]):
            total += self.table[k][observed[:, k]]
        for name, k in _TF_INDEX.items():  # exact agreement on a common name says less
            value = new[TF_FIELDS[name]]
            if value is not None:
                freq = max(self.model.tf[name].get(value, 1.0 / max(len(self.rows), 1)), 1e-6)
                exact = observed[:, k] == 1
                total[exact] += np.log2(max(self.model.m[k][1], 1e-6) / freq) - self.table[k][1]
        return total

    def match(self, doc: dict[str, Any], record_id: str, owner: str) -> OnlineMatch:
        new = persons.features(doc, record_id, owner)
        candidates: set[int] = set()
        for key in record_keys(new):
            rows = self.index.get(key)
            if rows and len(rows) <= MAX_BLOCK:
                candidates.update(rows)
        order = sorted(candidates)
        if not order:
            return OnlineMatch(record_id, None, 0.0, None, "", "", (), 0)
        observed = np.array([compare_pair(new, self.rows[c]) for c in order], dtype=np.int8)
        weights = self._weights(new, observed)
        clash = conflicts(observed)
        by_entity: dict[str, list[int]] = {}
        for pos, c in enumerate(order):
            entity = self.entity[c]
            if entity is not None:
                by_entity.setdefault(entity, []).append(pos)
        best: tuple[float, str, int] | None = None
        for entity, positions in by_entity.items():
            if clash[positions].any():
                continue  # it contradicts a record of this entity
            top = max(positions, key=lambda p: weights[p])
            if weights[top] >= self.threshold and (best is None or weights[top] > best[0]):
                best = (float(weights[top]), entity, top)
        if best is None:
            top = int(np.argmax(weights))
            en, es = explain(observed[top].tolist(), float(weights[top]))
            partner = self.rows[order[top]]["record_id"]
            return OnlineMatch(record_id, None, float(weights[top]), partner, en, es,
                               tuple(observed[top].tolist()), len(order))  # fmt: skip
        weight, entity, top = best
        en, es = explain(observed[top].tolist(), weight)
        return OnlineMatch(record_id, entity, weight, self.rows[order[top]]["record_id"], en, es,
                           tuple(observed[top].tolist()), len(order))  # fmt: skip

    def add(self, doc: dict[str, Any], record_id: str, owner: str, entity_id: str) -> None:
        row = persons.features(doc, record_id, owner)
        k = len(self.rows)
        self.rows.append(row)
        self.entity.append(entity_id)
        for key in record_keys(row):
            self.index.setdefault(key, []).append(k)


class _Rows:
    """The matcher's records as dicts of compared fields: those it was built with are read from
    the frame when a new record is compared with them (a dict for each of a million records would
    cost gigabytes), those added since are kept as they came."""

    def __init__(self, f: pl.DataFrame) -> None:
        self.f = f
        self.added: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return self.f.height + len(self.added)

    def __getitem__(self, k: int) -> dict[str, Any]:
        return self.f.row(k, named=True) if k < self.f.height else self.added[k - self.f.height]

    def append(self, row: dict[str, Any]) -> None:
        self.added.append(row)


def matcher(db: Database) -> OnlineMatcher | None:
    """A matcher over every resolved person record, or None before the first resolution run."""
    with db.engine.connect() as conn:
        stored = conn.execute(
            select(resolution_runs.c.model)
            .where(resolution_runs.c.entity_type == ENTITY_TYPE)
            .order_by(resolution_runs.c.id.desc())
            .limit(1)
        ).scalar()
        if not stored or not orjson.loads(stored):
            return None
        entity_of = dict(conn.execute(
            select(entity_members.c.record_id, entity_members.c.entity_id).where(
                entity_members.c.entity_type == ENTITY_TYPE)).all())  # fmt: skip
    f = person_frame(db)
    f = f.filter(pl.col("record_id").is_in(list(entity_of)))
    return OnlineMatcher(
        f, [entity_of[r] for r in f["record_id"].to_list()], model_from(orjson.loads(stored), f)
    )


def resolve_new(db: Database, online: OnlineMatcher | None = None) -> list[OnlineMatch]:
    """Match every person record that has no entity yet (just loaded) and store the result: it joins
    the entity it matched, held by the link that explains it, or starts one of its own."""
    with db.engine.connect() as conn:
        new = conn.execute(
            select(records.c.record_id, records.c.owner, record_versions.c.canonical)
            .join(record_versions, (record_versions.c.record_id == records.c.record_id)
                  & (record_versions.c.version == records.c.version))
            .outerjoin(entity_members, entity_members.c.record_id == records.c.record_id)
            .where(records.c.record_type == ENTITY_TYPE, entity_members.c.record_id.is_(None))
            .order_by(records.c.record_id)
        ).all()  # fmt: skip
        run_id = conn.execute(
            select(resolution_runs.c.id).order_by(resolution_runs.c.id.desc()).limit(1)
        ).scalar()
    if not new:
        return []  # nothing to match: the matcher (a read of every person) is not built
    online = online or matcher(db)
    if online is None:
        return []
    results = []
    members, links = [], []
    for record_id, owner, canonical in new:
        doc = orjson.loads(canonical)
        found = online.match(doc, record_id, owner)
        entity = found.entity_id or new_entity_id(record_id)
        online.add(doc, record_id, owner, entity)
        members.append(
            {"record_id": record_id, "entity_type": ENTITY_TYPE, "entity_id": entity, "run_id": run_id}
        )
        if found.entity_id is not None and found.partner is not None:
            a, b = sorted((record_id, found.partner))
            links.append({"record_a": a, "record_b": b, "entity_type": ENTITY_TYPE,
                          "weight": round(found.weight, 3), "levels": ",".join(map(str, found.levels)),
                          "run_id": run_id})  # fmt: skip
        results.append(found)
    if members:
        with db.engine.begin() as conn:
            conn.execute(insert(entity_members), members)
            if links:
                conn.execute(insert(entity_links), links)
            audit.record(
                conn, SYSTEM, "resolve_online", purpose="entity resolution",
                detail={"records": len(members), "joined": len(links)},
            )  # fmt: skip
    return results
