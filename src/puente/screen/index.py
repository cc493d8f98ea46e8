"""The hot lists in memory, as a check reads them."""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from sqlalchemy import select

from puente.screen.keys import fuzzy
from puente.store.db import Database
from puente.store.schema import hotlist

COLUMNS = ("kind", "key", "fuzzy", "state", "record_id", "owner", "audience", "disclosure", "reason", "label",
           "since", "context")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str
    key: str
    state: str | None
    record_id: str
    owner: str
    audience: frozenset[str]
    disclosure: str
    reason: str
    label: str
    since: str | None
    context: str | None = None  # the record it comes by: a wanted person's case


_KINDS = ("vin", "plate", "person", "name", "born", "firearm", "surnames")
_LOAD_CHUNK = 200_000  # rows read and packed at a time while loading
_PLATE_WIDTH = 16  # the longest plate partial plates are looked up among (plates have up to 10)


class Index:
    """The hot lists in memory, packed in columns so that 10M entries take about a gigabyte rather
    than the eight that Python objects took (measured by bench/screen.py), and so that the collector
    has nothing to walk.

    Per entry: its kind, its plate's state and its record (small codes), its key's text (one byte
    string and offsets), and two sorted hash arrays with the entries they point to: one of the exact
    keys, one of the keys with confusable characters folded. A lookup finds the hash by bisection
    and confirms the key's text, so a hash collision cannot make a false hit. Per record: its id,
    label and since (one byte string), owner, reason and disclosure (codes) and its audience (a
    bitmask over the agencies). Plates, folded, are kept sorted forwards and backwards for partial
    plates. Entries are made into :class:`Entry` objects only when a check finds them.

    Wanted persons also come as "born" rows (key: birth date, folded surnames and given names); a
    driver with that birth date and a similar name is a candidate. They are few next to vehicles and
    are kept as a plain mapping."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._codes: dict[str, dict[Any, int]] = {"state": {None: 0}, "owner": {}, "reason": {},
                                                  "disclosure": {}, "agency": {}}  # fmt: skip
        # grown in place (arrays and byte strings): the build holds no object per entry either
        kinds, states, recs, exact, folded = array("B"), array("H"), array("i"), array("q"), array("q")
        keys, key_at = bytearray(), array("q", [0])
        owners, reasons, disclosures, masks = array("B"), array("B"), array("B"), array("Q")
        texts, text_at = bytearray(), array("q", [0])
        forwards, backwards = bytearray(), bytearray()
        self.born: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        last: tuple[Any, ...] | None = None
        for n, e in enumerate(entries):
            record = (e.record_id, e.owner, e.audience, e.disclosure, e.reason, e.label, e.since, e.context)
            if record != last:  # an entry of the same record as the one before shares its details
                owners.append(self._code("owner", e.owner))
                reasons.append(self._code("reason", e.reason))
                disclosures.append(self._code("disclosure", e.disclosure))
                masks.append(self._mask(e.audience))
                texts += f"{e.record_id}\x1f{e.label}\x1f{e.since or ''}\x1f{e.context or ''}".encode()
                text_at.append(len(texts))
                last = record
            kinds.append(_KINDS.index(e.kind))
            states.append(self._code("state", e.state))
            recs.append(len(text_at) - 2)
            keys += e.key.encode()
            key_at.append(len(keys))
            fold_key = fuzzy(e.key)
            exact.append(hash((e.kind, e.key)))
            folded.append(hash((e.kind, fold_key)))
            if e.kind == "plate" and len(fold_key) <= _PLATE_WIDTH:
                forwards += fold_key.encode().ljust(_PLATE_WIDTH, b"\0")
                backwards += fold_key[::-1].encode().ljust(_PLATE_WIDTH, b"\0")
            elif e.kind == "born":
                birth, surnames, given = e.key.split("|")
                self.born[birth].append((surnames, given, n))
        self._kinds = np.frombuffer(kinds, dtype=np.uint8)
        self._states = np.frombuffer(states, dtype=np.uint16)
        self._recs = np.frombuffer(recs, dtype=np.int32)
        self._keys, self._key_at = bytes(keys), np.frombuffer(key_at, dtype=np.int64)
        del keys
        self._exact = _sorted_hashes(exact)
        self._folded = _sorted_hashes(folded)
        self._owners = np.frombuffer(owners, dtype=np.uint8)
        self._reasons = np.frombuffer(reasons, dtype=np.uint8)
        self._disclosures = np.frombuffer(disclosures, dtype=np.uint8)
        self._masks = np.frombuffer(masks, dtype=np.uint64)
        self._texts, self._text_at = bytes(texts), np.frombuffer(text_at, dtype=np.int64)
        del texts
        self._forwards = np.unique(np.frombuffer(bytes(forwards), dtype=f"S{_PLATE_WIDTH}"))
        self._backwards = np.unique(np.frombuffer(bytes(backwards), dtype=f"S{_PLATE_WIDTH}"))
        self._names = {kind: [v for v, _ in sorted(codes.items(), key=lambda kv: kv[1])]
                       for kind, codes in self._codes.items()}  # fmt: skip
        self._audiences: dict[int, frozenset[str]] = {}

    def _code(self, kind: str, value: Any) -> int:
        codes = self._codes[kind]
        if value not in codes:
            codes[value] = len(codes)
        return codes[value]

    def _mask(self, agencies: frozenset[str]) -> int:
        mask = 0
        for agency in agencies:
            code = self._code("agency", agency)
            if code >= 64:
                raise ValueError("the hot lists' audience mask holds 64 agencies at most")
            mask |= 1 << code
        return mask

    def __len__(self) -> int:
        return len(self._kinds)

    @classmethod
    def load(cls, db: Database) -> Index:
        """The hot lists as stored, read in chunks (ordered by record, so a record's entries share
        its details)."""

        def rows() -> Iterator[Entry]:
            audiences: dict[str, frozenset[str]] = {}
            with db.engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=_LOAD_CHUNK).execute(
                    select(*(hotlist.c[c] for c in COLUMNS)).order_by(hotlist.c.record_id, hotlist.c.id)
                )
                for r in result:
                    seen_by = audiences.get(r.audience)
                    if seen_by is None:
                        seen_by = audiences[r.audience] = frozenset(orjson.loads(r.audience))
                    yield Entry(r.kind, r.key, r.state, r.record_id, r.owner, seen_by, r.disclosure, r.reason,
                                r.label, r.since, r.context)  # fmt: skip

        return cls(rows())

    def entry(self, n: int) -> Entry:
        """The n-th entry, made from its columns."""
        rec = int(self._recs[n])
        record_id, label, since, context = self._text(self._texts, self._text_at, rec).split("\x1f")
        mask = int(self._masks[rec])
        audience = self._audiences.get(mask)
        if audience is None:
            agencies = self._names["agency"]
            audience = frozenset(a for i, a in enumerate(agencies) if mask >> i & 1)
            self._audiences[mask] = audience
        names = self._names
        return Entry(_KINDS[self._kinds[n]], self._text(self._keys, self._key_at, n),
                     names["state"][self._states[n]], record_id, names["owner"][self._owners[rec]], audience,
                     names["disclosure"][self._disclosures[rec]], names["reason"][self._reasons[rec]], label,
                     since or None, context or None)  # fmt: skip

    @staticmethod
    def _text(blob: bytes, at: Any, n: int) -> str:
        return blob[int(at[n]) : int(at[n + 1])].decode()

    def _find(self, table: tuple[Any, Any], kind: str, key: str, folded: bool) -> list[int]:
        hashes, order = table
        wanted = hash((kind, key))
        at = int(hashes.searchsorted(wanted))
        size = len(hashes)
        if at == size or hashes.item(at) != wanted:  # most lookups: nothing listed
            return []
        found = []
        while at < size and hashes.item(at) == wanted:
            n = int(order[at])
            text = self._text(self._keys, self._key_at, n)
            if _KINDS[self._kinds[n]] == kind and (fuzzy(text) if folded else text) == key:
                found.append(n)
            at += 1
        return found

    def find(self, kind: str, key: str) -> list[int]:
        """The entries of this kind with exactly this key."""
        return self._find(self._exact, kind, key, folded=False)

    def find_folded(self, kind: str, key: str) -> list[int]:
        """The entries of this kind whose key, folded, is ``key`` (already folded)."""
        return self._find(self._folded, kind, key, folded=True)

    def partial(self, part: str, limit: int = 50) -> list[str]:
        """Plate keys (folded) that begin or end with ``part`` (folded); with a ``*`` inside (7NL*858),
        those that begin with what comes before it and end with what comes after."""
        part = fuzzy(part)
        head, star, tail = part.partition("*")
        if star and head and tail:
            return [k for k in self._prefixed(self._forwards, head.encode(), None)
                    if k.endswith(tail) and len(k) >= len(head) + len(tail)][:limit]  # fmt: skip
        part = part.replace("*", "")
        found = self._prefixed(self._forwards, part.encode(), limit)
        found += [k[::-1] for k in self._prefixed(self._backwards, part[::-1].encode(), limit - len(found))]
        return found[:limit]

    @staticmethod
    def _prefixed(keys: Any, probe: bytes, limit: int | None) -> list[str]:
        if not probe or limit == 0:
            return []
        lo = int(np.searchsorted(keys, probe))
        hi = int(np.searchsorted(keys, probe + b"\xff"))
        hi = hi if limit is None else min(hi, lo + limit)
        return [k.decode() for k in keys[lo:hi].tolist()]


def _sorted_hashes(hashes: array) -> tuple[Any, Any]:
    """Hashes sorted, and the entry each came from."""
    values = np.frombuffer(hashes, dtype=np.int64)
    order = np.argsort(values, kind="stable").astype(np.int32)
    return values[order], order
