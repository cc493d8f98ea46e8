"""Batch resolution of every person record: fit the model, cluster, keep entity ids stable.

Resolution reads all records, whatever their markings (it is the system's own work); what a
viewer is shown of the result is decided later, from the records they may see (``entities``).
Entity ids survive re-runs: a cluster keeps the id most of its records had, and an id goes to one
cluster only; merges and splits are recorded as events.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import polars as pl
from sqlalchemy import Connection, Select, Table, bindparam, delete, insert, select, update
from sqlalchemy.engine import CursorResult, make_url

from puente.policy import audit
from puente.policy.principals import SYSTEM
from puente.resolve import persons
from puente.resolve.cluster import CONFLICTED, FORCED, capped, cluster
from puente.resolve.compare import candidate_pairs, levels
from puente.resolve.model import fit, match_weights, tf_of_pairs
from puente.resolve.review import REVIEW_FROM, DecisionGraph, load_decisions
from puente.store.db import Database
from puente.store.repository import Repository, utcnow
from puente.store.schema import (
    entity_events,
    entity_links,
    entity_members,
    entity_mentions,
    record_versions,
    records,
    resolution_runs,
    review_pairs,
)

THRESHOLD = 4.0  # posterior log2 odds (p > 0.94) a pair needs to join two clusters; chosen for precision
# on synthetic worlds of two seeds (a false merge costs more than a missed link): see bench/resolve.py
ENTITY_TYPE = "person"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunReport:
    run_id: int
    records: int
    pairs: int
    entities: int
    links: int
    refused_joins: int
    new: int
    merged: int
    split: int
    seconds: dict[str, float]

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


# Below this many person records one process reads them all: starting another costs about a second.
PARALLEL_FROM = 50_000


def person_query(low: str | None = None, high: str | None = None) -> Select[Any]:
    """(record id, owner, canonical JSON) of every person record, or those with ids in [low, high)."""
    query = current_of_types((ENTITY_TYPE,), records.c.owner)
    if low is not None:
        query = query.where(records.c.record_id >= low)
    if high is not None:
        query = query.where(records.c.record_id < high)
    return query


def raw_rows(result: CursorResult[Any], size: int = 20_000) -> Iterator[tuple[Any, ...]]:
    """A result's rows as the driver gives them: plain tuples of text, without the cost of a
    SQLAlchemy row each (a second per million rows)."""
    cursor = result.cursor
    while rows := cursor.fetchmany(size):
        yield from rows
    result.close()


def person_frame(db: Database, workers: int | None = None) -> pl.DataFrame:
    """Every person record's features, in record id order. A large store is read in as many
    slices of the id range as there are cores, each by its own process (parsing the documents is
    Python work, bound to one core; see ``frame_part``), the first by this one."""
    import os

    workers = workers or os.cpu_count() or 1
    with db.engine.connect() as conn:
        url = make_url(db.url)
        in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
        if workers < 2 or in_memory:
            return persons.frame(raw_rows(conn.execute(person_query())))
        ids = sorted(
            r
            for (r,) in raw_rows(
                conn.execute(select(records.c.record_id).where(records.c.record_type == ENTITY_TYPE))
            )
        )
        if len(ids) < PARALLEL_FROM:
            return persons.frame(raw_rows(conn.execute(person_query())))
        bounds = [ids[len(ids) * k // workers] for k in range(1, workers)]
    import subprocess
    import sys
    import tempfile

    edges = ["", *bounds, ""]
    with tempfile.TemporaryDirectory(prefix="puente-frame-") as tmp:
        outs = [f"{tmp}/part{k}.arrow" for k in range(1, workers)]
        children = [
            subprocess.Popen(
                [sys.executable, "-m", "puente.resolve.frame_part", edges[k], edges[k + 1], outs[k - 1]],
                stdin=subprocess.PIPE, text=True,
            )
            for k in range(1, workers)
        ]  # fmt: skip
        try:
            for child in children:
                child.stdin.write(db.url)  # type: ignore[union-attr]
                child.stdin.close()  # type: ignore[union-attr]
            with db.engine.connect() as conn:
                first = persons.frame(raw_rows(conn.execute(person_query(None, edges[1]))))
            if [child.wait() for child in children] != [0] * len(children):
                raise RuntimeError("a process reading person records failed (its error is above)")
        finally:
            for child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
        return pl.concat([first, *(pl.read_ipc(out) for out in outs)])


PREFIXES = {
    "person": "EP-",
    "firearm": "EF-",
    "vehicle": "EV-",
    "organization": "EO-",
    "phone": "ET-",  # teléfono
    "address": "ED-",  # domicilio
}
# A mention's place among the ids stable_ids keeps: the record and the field that holds the value
# (members and carriers are records of different types, so it never equals a member's id).
_MENTION = "{}\t{}"


def new_entity_id(first_record: str, prefix: str = "EP-") -> str:
    return prefix + hashlib.sha256(first_record.encode("utf-8")).hexdigest()[:16]


def stable_ids(
    record_ids: list[str], labels: np.ndarray, before: dict[str, str], prefix: str = "EP-"
) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    """An entity id per record, and the events (kind, entity id, ids before).

    Each cluster claims the previous id most of its records carried; clusters with more such
    records claim first, and an id already taken leaves the cluster a new one. Two kinds of
    cluster are settled by column, since nothing competes for what they get: one whose records
    all carried one id that no other cluster carries (kept, no event: most clusters of a re-run),
    and one whose records carried none (a new id from its first record).
    """
    rows = pl.DataFrame(
        {"record_id": record_ids, "label": labels, "old": [before.get(r) for r in record_ids]},
        schema={"record_id": pl.Utf8, "label": pl.Int64, "old": pl.Utf8},
    )
    votes = rows.drop_nulls("old").group_by("label", "old").len()
    spread_of = votes.group_by("old").len("clusters")
    clusters = (
        rows.group_by("label").agg(pl.col("record_id").min().alias("first"))
        .join(votes.group_by("label").agg(pl.len().alias("olds"), pl.col("old").first(),
                                          pl.col("len").max().alias("votes")), on="label", how="left")
        .join(spread_of, on="old", how="left")
        .with_columns(pl.col("olds").fill_null(0), pl.col("votes").fill_null(0))
    )  # fmt: skip
    kept = clusters.filter((pl.col("olds") == 1) & (pl.col("clusters") == 1))
    fresh = clusters.filter(pl.col("olds") == 0)
    contested = clusters.filter((pl.col("olds") > 1) | (pl.col("clusters") > 1)).sort(
        ["votes", "first"], descending=[True, False]
    )
    olds_of = dict(
        votes.filter(pl.col("label").is_in(contested["label"].implode()))
        .sort(["label", "len", "old"], descending=[False, True, False])
        .group_by("label", maintain_order=True).agg(pl.col("old"))
        .iter_rows()
    )  # fmt: skip
    spread = dict(spread_of.iter_rows())
    chosen_of: dict[int, str] = dict(zip(kept["label"].to_list(), kept["old"].to_list(), strict=True))
    taken: set[str] = set(chosen_of.values())
    events: list[tuple[str, str, list[str]]] = []

    def new_id(first: str) -> str:
        chosen = new_entity_id(first, prefix)
        while chosen in taken or chosen in spread:
            chosen = prefix + hashlib.sha256(chosen.encode()).hexdigest()[:16]
        return chosen

    for label, first in contested.select("label", "first").iter_rows():
        olds = olds_of[label]
        chosen = next((old for old in olds if old not in taken), None)
        if chosen is None:
            chosen = new_id(first)
            events.append(("new", chosen, list(olds)))
        if len(olds) > 1:
            events.append(("merge", chosen, sorted(olds)))
        taken.add(chosen)
        chosen_of[label] = chosen
    for label, first in fresh.select("label", "first").iter_rows():
        chosen = new_id(first)
        events.append(("new", chosen, []))
        taken.add(chosen)
        chosen_of[label] = chosen
    events += [("split", old, [old]) for old, n in spread.items() if n > 1]
    out = [chosen_of[label] for label in labels.tolist()]
    return out, events


def _with_decisions(
    f: pl.DataFrame,
    record_ids: list[str],
    pairs: pl.DataFrame,
    observed: np.ndarray,
    weights: np.ndarray,
    graph: DecisionGraph,
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, Callable[[int, int], bool], set[int]]:
    """Pairs and weights with analysts' decisions applied: a pair decided one person (directly or
    through others) is forced, one decided two people can never be joined."""
    row_of = {r: k for k, r in enumerate(record_ids)}
    decided = {row_of[r] for r in graph.parent if r in row_of}
    groups: dict[str, list[int]] = {}
    for r in graph.parent:
        if r in row_of:
            groups.setdefault(graph.find(r), []).append(row_of[r])
    forced = [(min(g[0], k), max(g[0], k)) for g in groups.values() for k in g[1:]]
    weights = weights.copy()
    if forced:
        extra = pl.DataFrame({"i": [i for i, _ in forced], "j": [j for _, j in forced]})
        pairs = pl.concat([pairs, extra])
        observed = np.vstack([observed, levels(f, extra)])
        weights = np.concatenate([weights, np.full(len(forced), FORCED)])
    if graph.apart and pairs.height:
        pi, pj = pairs["i"].to_numpy(), pairs["j"].to_numpy()
        known = np.array(sorted(decided))
        for x in np.nonzero(np.isin(pi, known) & np.isin(pj, known))[0]:
            if graph.different(record_ids[int(pi[x])], record_ids[int(pj[x])]):
                weights[x] = min(weights[x], CONFLICTED)

    def apart(x: int, y: int) -> bool:
        return graph.different(record_ids[x], record_ids[y])

    return pairs, observed, weights, apart, decided


def level_strings(observed: np.ndarray) -> list[str]:
    """Each row of comparison levels (one digit each) as the stored text "1,1,0,2,..."."""
    n, k = observed.shape
    if n == 0 or k == 0 or observed.max() > 9:
        return [",".join(map(str, row)) for row in observed.tolist()]
    text = np.full((n, 2 * k - 1), ord(","), dtype=np.uint8)
    text[:, ::2] = observed.astype(np.uint8) + ord("0")
    return np.ascontiguousarray(text).view(f"S{2 * k - 1}").ravel().astype(str).tolist()


def _rewrite_pairs(
    conn: Connection, table: Table, entity_type: str, found: list[tuple[str, str, float, str]], run_id: int
) -> None:
    """Make the table's pairs of this type the ones found, writing only those that changed (their
    run_id: the run that last weighed them)."""
    key = (table.c.record_a, table.c.record_b)
    query = select(*key, table.c.weight, table.c.levels).where(table.c.entity_type == entity_type)
    before = {(a, b): (w, lv) for a, b, w, lv in raw_rows(conn.execute(query))}
    now = {(a, b): (round(w, 3), lv) for a, b, w, lv in found}
    gone = [{"a": a, "b": b} for (a, b), value in before.items() if now.get((a, b)) != value]
    if len(gone) > len(before) // 2:  # most of them changed: dropping all is cheaper, one by one
        conn.execute(delete(table).where(table.c.entity_type == entity_type))
        before = {}
    elif gone:
        conn.execute(delete(table).where((key[0] == bindparam("a")) & (key[1] == bindparam("b"))), gone)
    changed = ((a, b, w, lv) for (a, b), (w, lv) in now.items() if before.get((a, b)) != (w, lv))
    Repository(conn).bulk_insert(
        table, ("record_a", "record_b", "entity_type", "weight", "levels", "run_id"),
        ((a, b, entity_type, w, lv, run_id) for a, b, w, lv in changed),
    )  # fmt: skip


def store_run(
    db: Database,
    entity_type: str,
    record_ids: list[str],
    labels: np.ndarray,
    links: list[tuple[str, str, float, str]],
    queue: list[tuple[str, str, float, str]],
    *,
    pairs: int,
    threshold: float,
    model: dict[str, object],
    mentions: Sequence[tuple[str, str, str, int]] = (),
) -> tuple[int, list[str], Counter[str]]:
    """Store one run's entities (ids kept stable against the run before), links, review queue,
    mentions (record, field, rule, label: a phone or address a record carries) and events,
    replacing the previous run's of this type; audited. Returns the run id, the entity id of each
    record and the count of events by kind."""
    with db.engine.connect() as conn:
        members_before = dict(
            raw_rows(
                conn.execute(
                    select(entity_members.c.record_id, entity_members.c.entity_id).where(
                        entity_members.c.entity_type == entity_type
                    )
                )
            )
        )
        before = dict(members_before)
        if mentions:
            for r, field, e in conn.execute(
                select(
                    entity_mentions.c.record_id, entity_mentions.c.field, entity_mentions.c.entity_id
                ).where(entity_mentions.c.entity_type == entity_type)
            ):
                before[_MENTION.format(r, field)] = e
    # a mention votes for its entity's id like a member does, so a number that only persons carry
    # keeps its id across runs too
    keyed = record_ids + [_MENTION.format(r, field) for r, field, _rule, _label in mentions]
    every = np.concatenate([labels, np.array([m[3] for m in mentions], dtype=np.int64)])
    all_ids, events = stable_ids(keyed, every, before, prefix=PREFIXES[entity_type])
    ids, mention_ids = all_ids[: len(record_ids)], all_ids[len(record_ids) :]

    with db.engine.begin() as conn:
        run_id = int(
            conn.execute(
                insert(resolution_runs)
                .values(
                    entity_type=entity_type, started_at=utcnow(), records=len(record_ids), pairs=pairs,
                    entities=len(set(all_ids)), threshold=threshold, model=orjson.dumps(model).decode(),
                )
                .returning(resolution_runs.c.id)
            ).scalar_one()
        )  # fmt: skip
        conn.execute(delete(entity_mentions).where(entity_mentions.c.entity_type == entity_type))
        # members are rewritten only where the entity changed (their run_id: the run that put the
        # record in its entity): a re-run that changes little writes little
        repo = Repository(conn)
        now = dict(zip(record_ids, ids, strict=True))
        gone = [{"rid": r} for r, e in members_before.items() if now.get(r) != e]
        if len(gone) > len(members_before) // 2:  # as for pairs: most changed, all are rewritten
            conn.execute(delete(entity_members).where(entity_members.c.entity_type == entity_type))
            members_before = {}
        elif gone:
            conn.execute(delete(entity_members).where(entity_members.c.record_id == bindparam("rid")), gone)
        repo.bulk_insert(
            entity_members, ("record_id", "entity_type", "entity_id", "run_id"),
            ((r, entity_type, e, run_id) for r, e in now.items() if members_before.get(r) != e),
        )  # fmt: skip
        repo.bulk_insert(
            entity_mentions, ("record_id", "entity_type", "field", "entity_id", "rule", "run_id"),
            ((r, entity_type, f, e, rule, run_id)
             for (r, f, rule, _), e in zip(mentions, mention_ids, strict=True)),
        )  # fmt: skip
        for table, found in ((entity_links, links), (review_pairs, queue)):
            _rewrite_pairs(conn, table, entity_type, found, run_id)
        repo.bulk_insert(
            entity_events, ("run_id", "kind", "entity_id", "detail"),
            ((run_id, k, e, orjson.dumps({"before": b}).decode()) for k, e, b in events),
        )  # fmt: skip
        conn.execute(
            update(resolution_runs).where(resolution_runs.c.id == run_id).values(finished_at=utcnow())
        )
        counts = Counter(k for k, _, _ in events)
        audit.record(
            conn, SYSTEM, "resolve", purpose="entity resolution",
            detail={"run": run_id, "entity_type": entity_type, "records": len(record_ids),
                    "entities": len(set(all_ids)), **({"mentions": len(mentions)} if mentions else {}),
                    **counts},
        )  # fmt: skip
    if len(record_ids) >= 50_000:  # a large run rewrote the entity tables: the planner must know
        db.analyze("entity_members", "entity_links", "entity_mentions", "review_pairs")
    return run_id, ids, counts


def resolve_persons(
    db: Database, *, threshold: float = THRESHOLD, progress: Progress | None = None
) -> RunReport:
    """Resolve every person record and store the entities, their links and what changed."""
    import time

    say = progress or (lambda _step: None)
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    say("reading")
    f = person_frame(db)
    seconds["read"] = time.perf_counter() - start
    mark = time.perf_counter()
    say("blocking")
    pairs = candidate_pairs(f)
    observed = levels(f, pairs)
    seconds["compare"] = time.perf_counter() - mark
    mark = time.perf_counter()
    say("fitting")
    model = fit(f, observed) if pairs.height else None
    weights = match_weights(model, observed, tf_of_pairs(f, pairs, model.tf)) if model else np.zeros(0)
    weights = capped(weights, observed)
    seconds["fit"] = time.perf_counter() - mark
    mark = time.perf_counter()
    say("clustering")
    record_ids = f["record_id"].to_list()
    with db.engine.connect() as conn:
        graph = load_decisions(conn)
    pairs, observed, weights, apart, decided = _with_decisions(f, record_ids, pairs, observed, weights, graph)
    clustering = cluster(f, pairs, weights, threshold, apart, decided)
    seconds["cluster"] = time.perf_counter() - mark
    mark = time.perf_counter()
    say("storing")
    pi, pj = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    labels = clustering.labels

    ids_array = np.array(record_ids, dtype=object)

    def scored(rows: np.ndarray) -> list[tuple[str, str, float, str]]:
        a, b = ids_array[pi[rows]].tolist(), ids_array[pj[rows]].tolist()
        return list(zip(a, b, weights[rows].tolist(), level_strings(observed[rows]), strict=True))

    # the links kept: every pair above the threshold inside one final cluster
    links = scored(np.nonzero((weights >= threshold) & (labels[pi] == labels[pj]))[0])
    # the review queue: pairs with real evidence that the run left apart, not settled by analysts
    left_apart = (weights >= REVIEW_FROM) & (weights < FORCED) & (labels[pi] != labels[pj])
    queue = [q for q in scored(np.nonzero(left_apart)[0]) if not graph.settled(q[0], q[1])]
    run_id, ids, counts = store_run(
        db, ENTITY_TYPE, record_ids, labels, links, queue, pairs=pairs.height, threshold=threshold,
        model=model.as_dict() if model else {},
    )  # fmt: skip
    seconds["store"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - start
    return RunReport(
        run_id, len(record_ids), pairs.height, len(set(ids)), len(links), clustering.refused,
        counts.get("new", 0), counts.get("merge", 0), counts.get("split", 0),
        {k: round(v, 3) for k, v in seconds.items()},
    )  # fmt: skip


def current_of_types(types: Sequence[str], second: Any = records.c.record_type) -> Select[Any]:
    """(record id, type (or ``second``), canonical JSON) of the current version of every record of
    these types, in record id order."""
    return (
        select(records.c.record_id, second, record_versions.c.canonical)
        .join(
            record_versions,
            (record_versions.c.record_id == records.c.record_id)
            & (record_versions.c.version == records.c.version),
        )
        .where(records.c.record_type.in_(types))
        .order_by(records.c.record_id)
    )


def resolve_things(db: Database, kind: str) -> RunReport:
    """Resolve every firearm, vehicle or organization record by the rules of ``puente.resolve.things``,
    and every phone or address by those of ``puente.resolve.contacts``."""
    import time

    from puente.resolve import contacts, things

    if kind in contacts.KINDS:
        return resolve_contacts(db, kind)
    start = time.perf_counter()
    types = things.TYPES[kind]
    carriers = things.FIREARM_CARRIERS if kind == "firearm" else ()
    with db.engine.connect() as conn:
        found = things.things_of(conn.execute(current_of_types(types)), kind)
        held = [
            gun
            for rid, _type, doc in conn.execute(current_of_types(carriers))
            for gun in things.carried_firearms(rid, orjson.loads(doc))
        ] if carriers else []  # fmt: skip
    # a seizure's guns join by the same rules as firearm records, and with them
    clusters, made = things.link_things(found + held)
    record_ids = [t.record_id for t in found]
    first = {root: k for k, root in enumerate(sorted(set(clusters.values())))}
    labels = np.array([first[clusters[r]] for r in record_ids], dtype=np.int64)
    mentions = []
    for gun in held:
        record_id, field = things.carried(gun.record_id)  # type: ignore[misc]
        mentions.append((record_id, field, gun.keys[0][0], first[clusters[gun.record_id]]))
    # links are between records; a carried gun's place in its entity is its mention
    links = [(a, b, 100.0, rule) for a, b, rule in made if not (things.carried(a) or things.carried(b))]
    run_id, ids, counts = store_run(
        db, kind, record_ids, labels, links, [], pairs=len(made), threshold=0.0,
        model={"rules": list(things.RULES)}, mentions=mentions,
    )  # fmt: skip
    total = time.perf_counter() - start
    return RunReport(
        run_id, len(set(record_ids) | {m[0] for m in mentions}), len(made), len(first), len(links), 0,
        counts.get("new", 0), counts.get("merge", 0), counts.get("split", 0), {"total": round(total, 3)},
    )  # fmt: skip


def resolve_contacts(db: Database, kind: str) -> RunReport:
    """Resolve every phone or address: the phone and location records as members, one entity per
    number or normalised address, and every person, organization, seizure or trace that carries
    one as a mention of that entity (``puente.resolve.contacts``)."""
    import time

    from puente.resolve import contacts, things

    start = time.perf_counter()
    members_of = contacts.MEMBER_TYPES[kind]
    query = current_of_types(members_of + tuple(contacts.CARRIERS[kind]))
    found: list[things.Thing] = []
    carried: list[contacts.Occurrence] = []
    with db.engine.connect() as conn:
        for rid, rtype, doc in conn.execute(query):
            held = list(contacts.occurrences(rid, rtype, orjson.loads(doc), kind))
            if rtype in members_of:
                # a phone or location record is a member even without a usable key: it stands alone
                found.append(things.Thing(rid, tuple((o.rule, o.key) for o in held), None))
            else:
                carried += held
    _clusters, made = things.link_things(found)  # the links explain the members joined by a key
    record_ids = [t.record_id for t in found]

    def key(thing: things.Thing) -> tuple[str, str]:
        return thing.keys[0] if thing.keys else ("", thing.record_id)  # no key: an entity of its own

    # one label per key, shared by the members that hold it and the records that carry it
    label_of: dict[tuple[str, str], int] = {}
    for k in [key(t) for t in found] + [(o.rule, o.key) for o in carried]:
        label_of.setdefault(k, len(label_of))
    labels = np.array([label_of[key(t)] for t in found], dtype=np.int64)
    mentions = [(o.record_id, o.field, o.rule, label_of[(o.rule, o.key)]) for o in carried]
    links = [(a, b, 100.0, rule) for a, b, rule in made]
    run_id, _ids, counts = store_run(
        db, kind, record_ids, labels, links, [], pairs=len(made), threshold=0.0,
        model={"rules": list(contacts.RULES[kind])}, mentions=mentions,
    )  # fmt: skip
    total = time.perf_counter() - start
    return RunReport(
        run_id, len(set(record_ids) | {o.record_id for o in carried}), len(made), len(label_of), len(links),
        0, counts.get("new", 0), counts.get("merge", 0), counts.get("split", 0), {"total": round(total, 3)},
    )  # fmt: skip
