"""Search across both countries' records in either language, from what the viewer may see.

A query is cut into words and identifiers. A word is looked for as written, by its Spanish
sound-alike key, by the full given names its short or English form stands for, and, when the index
barely knows it (a typo), by its close spellings; an identifier whole, by its beginning and by its
end (the last digits of a VIN or a phone). A record is a hit when it meets every word (every word
but one past two: a missing maternal surname, a middle name one agency left out) or any identifier.

Speed comes from the candidates: a person holds a term for each pair of their name's sound-alike
keys (a given name with a surname, or both surnames), and a few hundred records hold a pair where
hundreds of thousands hold "José" or "Hernández"; so a query of two or more words starts from its
pairs, and only those records' own terms are scored (a single common word is sampled). Hits are
ranked by how well each word was met, weighed by how rare that word is among the records the viewer
may see, and grouped by the entity the viewer knows them in; each says why it matched, in English
and Spanish.

Who may see a record is decided inside the query by the policy layer; a hidden record whose marking
allows it yields only a pointer (its holder, how to ask). Every search is audited with its purpose.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import ARRAY, Connection, Engine, String, and_, any_, func, literal, or_, select

from puente.normalize.text import fold
from puente.policy import access, audit
from puente.policy.principals import Principal
from puente.resolve.entities import viewer_parts
from puente.resolve.namekeys import PARTICLES, compound_given_names, given_roots, phonetic
from puente.search import interest
from puente.search.terms import (
    IDENT,
    REVERSED,
    SOUND,
    WORD,
    given_keys,
    given_term,
    identifier_key,
    pair_term,
)
from puente.store.db import Database
from puente.store.schema import entity_members, records, search_docs, search_terms

MAX_RECORDS = 200  # records ranked before grouping into entities
MAX_POINTERS = 50
RARE = 30  # a word with fewer postings may be a typo: its close spellings are looked for too
MAX_CANDIDATES = 600  # records scored for one query; a name as common as 'jose' alone is sampled
MAX_PARTIAL = 2_000  # postings one partial identifier may bring in
MAX_TOKENS = 8
VOCABULARY_TTL = 900.0  # seconds a process keeps the index's words for close spellings (a refresh
# here drops them at once; a word new elsewhere is met as written at once, by its close spellings later)
_DIGITS = re.compile(r"\d")
_LETTERS = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Filters:
    record_type: str | None = None
    owner: str | None = None  # agency, e.g. MX/FGR
    nation: str | None = None  # the owner's nation
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None
    port: str | None = None
    state: str | None = None  # e.g. MX-TAM, US-TX

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Reason:
    token: str
    en: str
    es: str

    def text(self, lang: str) -> str:
        return self.es if lang == "es" else self.en


@dataclass(frozen=True)
class Match:
    record_id: str
    record_type: str
    owner: str
    title: str
    day: str | None
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Hit:
    entity_id: str | None  # the viewer's id of the entity (or part of it); None for a lone record
    kind: str
    title: str
    score: float
    matches: tuple[Match, ...]
    holders: tuple[str, ...] = ()  # other agencies holding records of it the viewer may ask for


@dataclass(frozen=True)
class HeldElsewhere:
    """A record the viewer may not see that meets the query: only its holder and how to ask."""

    holder: str
    record_id: str
    contact_en: str
    contact_es: str

    @classmethod
    def of(cls, holder: str, record_id: str) -> HeldElsewhere:
        """The pointer to one hidden record: its holder and the holder's contact in both languages."""
        pointer = access.Pointer.of(holder)
        return cls(holder, record_id, pointer.contact_en, pointer.contact_es)


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    pointers: list[HeldElsewhere]
    seconds: float = 0.0
    tokens: list[str] = field(default_factory=list)


# --- the query's words -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    term: str
    weight: float  # how well meeting this term meets the word (1: as written)
    en: str
    es: str


@dataclass
class _Token:
    text: str
    identifier: bool
    terms: list[_Term]
    prefixes: list[tuple[str, float, str, str]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)  # sound-alike keys of a word's readings, for name pairs


def tokens(text: str) -> list[tuple[str, bool]]:
    """The query's words and identifiers: (folded word, False) or (identifier key, True). Groups of
    digits alone ("899 123 4567") are one identifier."""
    raw = text.split()
    if raw and all(_DIGITS.search(t) and not _LETTERS.search(t) for t in raw):
        key = identifier_key("".join(raw))
        return [(key, True)] if key else []
    out: list[tuple[str, bool]] = []
    for piece in raw:
        if _DIGITS.search(piece):
            key = identifier_key(piece)
            if key:
                out.append((key, True))
            continue
        for word in fold(piece).split():
            if word not in PARTICLES and len(word) > 1 and (word, False) not in out:
                out.append((word, False))
    return out[:MAX_TOKENS]


_VOCABULARY: dict[str, tuple[float, list[str]]] = {}
_RELOADING: set[str] = set()
_LOCK = threading.Lock()


def _read_vocabulary(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            t[len(WORD) :]
            for (t,) in conn.execute(
                select(search_terms.c.term)
                .where(search_terms.c.term >= WORD, search_terms.c.term < _after(WORD))
                .distinct()
            )
        ]


def _reload(engine: Engine, key: str) -> None:
    try:
        _VOCABULARY[key] = (time.monotonic(), _read_vocabulary(engine))
    finally:
        with _LOCK:
            _RELOADING.discard(key)


def _vocabulary(conn: Connection) -> list[str]:
    """The distinct words the index holds, for close spellings: read once per process and database,
    then read again in the background when older than VOCABULARY_TTL, so that no search waits for
    it (reading every word of millions of records takes seconds)."""
    key = str(conn.engine.url)
    cached = _VOCABULARY.get(key)
    if cached is None:
        _VOCABULARY[key] = cached = (time.monotonic(), _read_vocabulary(conn.engine))
    elif time.monotonic() - cached[0] > VOCABULARY_TTL:
        with _LOCK:
            start = key not in _RELOADING
            _RELOADING.add(key)
        if start:
            threading.Thread(target=_reload, args=(conn.engine, key), daemon=True).start()
    return cached[1]


def forget_vocabulary() -> None:
    """Drop the cached words (after this process refreshed the index)."""
    _VOCABULARY.clear()


def _after(prefix: str) -> str:
    """The first string past every string that begins with ``prefix`` (for an index range)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _close_spellings(word: str, vocabulary: list[str]) -> list[tuple[str, float]]:
    if len(word) < 4:
        return []
    cutoff = 84.0 if len(word) < 8 else 80.0
    found = process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=12)
    return [(w, score / 100.0) for w, score, _ in found if w != word]


def _expand(word: str, identifier: bool, conn: Connection) -> _Token:
    q = word.lower()
    if identifier:
        token = _Token(q, True, [_Term(IDENT + word, 3.0, f"identifier {word}", f"identificador {word}")])
        if len(word) >= 4:
            begins = (f"an identifier beginning {word}", f"un identificador que empieza {word}")
            ends = (f"an identifier ending {word}", f"un identificador que termina {word}")
            token.prefixes = [(IDENT + word, 2.0, *begins), (REVERSED + word[::-1], 2.0, *ends)]
        return token
    terms = [_Term(WORD + word, 1.0, f"'{q}' as written", f"'{q}' tal como se escribió")]
    key = phonetic(word)
    if key:
        terms.append(_Term(SOUND + key, 0.8, f"'{q}' sounds alike ({key})", f"'{q}' suena igual ({key})"))
    for root in sorted(given_roots(word)):
        if root == word:  # met as written already weighs 1: this is met by a short form of it
            terms.append(
                _Term(given_term(root), 0.9, f"'{q}' met by a short or English form of it",
                      f"'{q}' coincide con un hipocorístico o forma inglesa")
            )  # fmt: skip
        else:
            r = root.lower()
            terms.append(
                _Term(given_term(root), 0.9, f"'{q}' stands for '{r}' (short or English form)",
                      f"'{q}' equivale a '{r}' (hipocorístico o forma inglesa)")
            )  # fmt: skip
    # close spellings for a word the index barely knows (a typo): a common word is met as it is
    rare = _count(conn, _Token(q, False, terms[:1]), RARE) < RARE
    close = _close_spellings(word, _vocabulary(conn)) if rare else []
    for other, similarity in close:
        o = other.lower()
        terms.append(
            _Term(WORD + other, 0.75 * similarity, f"'{q}' spelled close to '{o}'",
                  f"'{q}' escrito parecido a '{o}'")
        )  # fmt: skip
    best: dict[str, _Term] = {}
    for t in terms:  # a term reached two ways keeps its best reading
        if t.term not in best or best[t.term].weight < t.weight:
            best[t.term] = t
    keys = given_keys([word]) | {phonetic(other) for other, _ in close}
    return _Token(q, False, list(best.values()), keys={k for k in keys if k})


def _given_pairs(toks: list[_Token]) -> None:
    """Two words that make one given name ("jose luis") are also met by the forms of that name as a
    whole (a "Pepe" or a "Joe" for José Luis)."""
    for a, b in zip(toks, toks[1:], strict=False):
        if a.identifier or b.identifier:
            continue
        pair = f"{a.text} {b.text}".upper()
        if pair in compound_given_names():
            p = pair.lower()
            term = _Term(given_term(fold(pair)), 0.9, f"'{p}' as one given name, or a short form of it",
                         f"'{p}' como un solo nombre de pila, o un hipocorístico de él")  # fmt: skip
            for tok in (a, b):
                if all(t.term != term.term for t in tok.terms):
                    tok.terms.append(term)


# --- the query ---------------------------------------------------------------------------------------


def _filtered(filters: Filters) -> list[Any]:
    conds: list[Any] = []
    if filters.record_type:
        conds.append(records.c.record_type == filters.record_type)
    if filters.owner:
        conds.append(records.c.owner == filters.owner)
    if filters.nation:
        conds.append(records.c.owner_nation == filters.nation)
    if filters.date_from:
        conds.append(search_docs.c.day >= filters.date_from)
    if filters.date_to:
        conds.append(search_docs.c.day <= filters.date_to)
    if filters.port:
        conds.append(search_docs.c.port == filters.port)
    if filters.state:
        conds.append(search_docs.c.state == filters.state)
    return conds


def _among(conn: Connection, column: Any, values: Sequence[str]) -> Any:
    """SQL: ``column`` is one of ``values``. On PostgreSQL one array parameter (``= ANY``): a list of
    hundreds of parameters costs more to render, send and parse than the look-up itself."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(String)))
    return column.in_(list(values))


def _meets(tok: _Token, term: Any) -> Any:
    """SQL: the term column holds one of this token's terms (or begins with one of its prefixes)."""
    conds = [term.in_(sorted({t.term for t in tok.terms}))] if tok.terms else []
    conds += [and_(term > prefix, term < _after(prefix)) for prefix, *_ in tok.prefixes]
    return or_(*conds)


def _count(conn: Connection, tok: _Token, bound: int = MAX_CANDIDATES) -> int:
    """How many postings a token has, counted up to ``bound``."""
    inner = select(search_terms.c.record_id).where(_meets(tok, search_terms.c.term)).limit(bound)
    return int(conn.execute(select(func.count()).select_from(inner.subquery())).scalar_one())


def _ids(conn: Connection, condition: Any, limit: int = MAX_CANDIDATES) -> list[str]:
    return list(
        conn.execute(select(search_terms.c.record_id).where(condition).distinct().limit(limit)).scalars()
    )


def _paired(conn: Connection, words: list[_Token]) -> list[str]:
    """Records holding a name pair of two of the words, those holding most pairs first (a record
    meeting three words holds three pairs; one meeting two, one)."""
    keys = sorted({
        pair_term(a, b) for i, x in enumerate(words) for y in words[i + 1 :]
        for a in x.keys for b in y.keys if a != b
    })  # fmt: skip
    if not keys:
        return []
    held = func.count().label("held")
    return list(
        conn.execute(
            select(search_terms.c.record_id, held)
            .where(_among(conn, search_terms.c.term, keys))
            .group_by(search_terms.c.record_id)
            .order_by(held.desc(), search_terms.c.record_id)
            .limit(MAX_CANDIDATES)
        ).scalars()
    )


def _candidates(conn: Connection, toks: list[_Token], need_words: int) -> list[str]:
    """The records that can be hits, at most MAX_CANDIDATES: those meeting an identifier, and for
    words those holding the name pair of two of them (a person meeting two words holds it), else
    (names of organizations, places, titles) those meeting one of the rarest words."""
    term = search_terms.c.term
    words = [t for t in toks if not t.identifier]
    found = {r for t in toks if t.identifier for r in _ids(conn, _meets(t, term), MAX_PARTIAL)}
    if not words:
        return sorted(found)
    if need_words >= 2 and (paired := _paired(conn, words)):
        return sorted(found.union(paired))
    counted = sorted(words, key=lambda t: _count(conn, t))
    drivers = counted[: len(words) - need_words + 1]
    return sorted(found.union(_ids(conn, or_(*(_meets(t, term) for t in drivers)))))


def _choices(tok: _Token) -> list[tuple[float, str, str]]:
    """(weight, en, es) of each way a token can be met: its terms, then its prefixes."""
    return [(t.weight, t.en, t.es) for t in tok.terms] + [(w, en, es) for _, w, en, es in tok.prefixes]


def _scores(conn: Connection, toks: list[_Token], ids: list[str]) -> dict[str, list[int]]:
    """Record -> for each token, the best way the record meets it (an index into ``_choices``,
    plus one; 0 for not at all), read from each candidate's own terms."""
    exact: list[dict[str, int]] = []
    for tok in toks:
        ways: dict[str, int] = {}
        for j, t in enumerate(tok.terms):
            ways.setdefault(t.term, j)
        exact.append(ways)
    weights = [[w for w, _, _ in _choices(tok)] for tok in toks]
    best: dict[str, list[int]] = {}
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        query = select(search_terms.c.record_id, search_terms.c.term).where(
            _among(conn, search_terms.c.record_id, part)
        )
        if not any(tok.prefixes for tok in toks):  # only the query's own terms: fewer rows to read
            query = query.where(
                _among(conn, search_terms.c.term, sorted({t for ways in exact for t in ways}))
            )
        rows = conn.execute(query)
        for record_id, term in rows:
            for k, tok in enumerate(toks):
                j = exact[k].get(term)
                if j is None:
                    for p, (prefix, *_) in enumerate(tok.prefixes):
                        if term.startswith(prefix) and term != prefix:
                            j = len(tok.terms) + p
                            break
                    else:
                        continue
                got = best.setdefault(record_id, [0] * len(toks))
                if got[k] == 0 or weights[k][j] > weights[k][got[k] - 1]:
                    got[k] = j + 1
    return best


def search(
    db: Database,
    principal: Principal,
    text: str,
    purpose: str,
    *,
    filters: Filters | None = None,
    limit: int = 20,
) -> SearchResult:
    """Entities and records this viewer may see that meet ``text``, best first, each with its reasons;
    and pointers to the holders of hidden records that meet it, where their markings allow."""
    access.require(db, principal, "read_records", purpose)
    filters = filters or Filters()
    started = time.perf_counter()
    words = tokens(text)
    with db.engine.begin() as conn:
        toks = [_expand(w, ident, conn) for w, ident in words]
        _given_pairs(toks)
        hits: list[Hit] = []
        pointers: list[HeldElsewhere] = []
        if toks:
            ranked, pointers = _ranked(conn, principal, toks, filters)
            hits = _grouped(conn, principal, ranked)[:limit]
        shown = [m for h in hits for m in h.matches]
        if any(t.identifier for t in toks):
            interest.note(conn, principal, [m.record_id for m in shown])
        audit.record(
            conn, principal.user_id, "search", purpose=purpose,
            detail={"query": text[:200], "filters": filters.as_dict(), "count": len(shown),
                    "owners": _owners(shown), "record_ids": [m.record_id for m in shown][: access.AUDIT_IDS],
                    "pointers": [p.record_id for p in pointers]},
        )  # fmt: skip
    return SearchResult(text, hits, pointers, time.perf_counter() - started, [t.text for t in toks])


def _owners(matches: list[Match]) -> dict[str, int]:
    out: dict[str, int] = {}
    for m in matches:
        out[m.owner] = out.get(m.owner, 0) + 1
    return out


def _ranked(
    conn: Connection, principal: Principal, toks: list[_Token], filters: Filters
) -> tuple[list[Match], list[HeldElsewhere]]:
    words = [k for k, tok in enumerate(toks) if not tok.identifier]
    idents = [k for k, tok in enumerate(toks) if tok.identifier]
    need_words = len(words) - 1 if len(words) > 2 else len(words)
    met = _scores(conn, toks, _candidates(conn, toks, need_words))
    enough = {
        r for r, ways in met.items()
        if (words and sum(1 for k in words if ways[k]) >= need_words) or any(ways[k] for k in idents)
    }  # fmt: skip
    seen = access.visible(principal)
    rows = []
    listed = sorted(enough)
    for start in range(0, len(listed), 1000):
        rows += conn.execute(
            select(
                records.c.record_id, records.c.owner, records.c.record_type, records.c.disclosure,
                seen.label("visible"), search_docs.c.title, search_docs.c.day,
            )
            .join(search_docs, search_docs.c.record_id == records.c.record_id)
            .where(_among(conn, records.c.record_id, listed[start : start + 1000]))
            .where(*_filtered(filters))
            .where(or_(seen, records.c.disclosure == "pointer"))
        ).all()  # fmt: skip
    visible_rows = [r for r in rows if r.visible]
    # a pointer answers the whole query only: a hit/no-hit on what was asked, not on a surname
    hidden = [r for r in rows if not r.visible and r.disclosure == "pointer" and all(met[r.record_id])]
    # a word's weight: how rare it is among the records this viewer may see that met the query
    n = len(visible_rows) + 1
    met_by = [sum(1 for r in visible_rows if met[r.record_id][k]) for k in range(len(toks))]
    idf = [1.0 if tok.identifier else 1.0 + math.log(n / (1 + met_by[k])) for k, tok in enumerate(toks)]
    weights = [[w for w, _, _ in _choices(tok)] for tok in toks]
    scored = []
    for r in visible_rows:
        ways = met[r.record_id]
        score = sum(weights[k][way - 1] * idf[k] for k, way in enumerate(ways) if way)
        scored.append((-round(score, 3), r.record_id, r))
    scored.sort(key=lambda x: (x[0], x[1]))
    matches = [  # reasons only for what is shown
        Match(r.record_id, r.record_type, r.owner, r.title, r.day, -neg, _reasons(toks, met[r.record_id]))
        for neg, _, r in scored[:MAX_RECORDS]
    ]
    pointers = [HeldElsewhere.of(r.owner, r.record_id) for r in sorted(hidden, key=lambda r: r.record_id)]
    return matches, pointers[:MAX_POINTERS]


def _reasons(toks: list[_Token], ways: list[int]) -> tuple[Reason, ...]:
    out = []
    for tok, way in zip(toks, ways, strict=True):
        if not way:
            out.append(Reason(tok.text, f"'{tok.text}' not found", f"'{tok.text}' no se encontró"))
        else:
            _, en, es = _choices(tok)[way - 1]
            out.append(Reason(tok.text, en, es))
    return tuple(out)


def _grouped(conn: Connection, principal: Principal, ranked: list[Match]) -> list[Hit]:
    """The ranked records grouped by the entity the viewer knows each in (a lone record stands alone)."""
    if not ranked:
        return []
    ids = [m.record_id for m in ranked]
    entity_rows = conn.execute(
        select(entity_members.c.record_id, entity_members.c.entity_id, entity_members.c.entity_type).where(
            _among(conn, entity_members.c.record_id, ids)
        )
    ).all()
    kinds = {r.entity_id: r.entity_type for r in entity_rows}
    parts = viewer_parts(conn, principal, [r.entity_id for r in entity_rows])
    groups: dict[str, list[Match]] = {}
    order: list[str] = []
    for m in ranked:
        key = parts.shown.get(m.record_id) or f"record:{m.record_id}"
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(m)
    hits = []
    for key in order:
        matches = groups[key]
        best = matches[0]
        if key.startswith("record:"):
            hits.append(Hit(None, best.record_type, best.title, best.score, tuple(matches)))
            continue
        entity_id = parts.entity_of[best.record_id]
        holders = tuple(sorted({h for h, _ in parts.pointers.get(entity_id, [])}))
        # more records of one entity meeting the query make it a little more certain, never a lot
        score = round(best.score + 0.1 * math.log(len(matches)), 3)
        hits.append(
            Hit(key, kinds.get(entity_id, best.record_type), best.title, score, tuple(matches), holders)
        )
    hits.sort(key=lambda h: -h.score)
    return hits
