"""The review queue: pairs the model could not settle, decided by analysts.

A decision (same, different, unsure) overrides the model in every later run. Decisions apply
transitively: if A is B and B is C, A and C are not asked; if A is B and B is not C, neither is
A and C. An analyst is only shown, and may only decide, pairs of records they can both see.
Every decision and every refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, insert, select, update

from puente.policy import access, audit
from puente.policy.access import RecordView, require
from puente.policy.principals import Principal
from puente.policy.requests import refuse
from puente.resolve.explain import explain
from puente.store.db import Database
from puente.store.repository import utcnow
from puente.store.schema import match_decisions, records, review_pairs

DECISIONS = ("same", "different", "unsure")
REVIEW_FROM = -6.0  # pairs at least this likely (p > 1.5%), yet not joined, are put to analysts


@dataclass(frozen=True)
class ReviewItem:
    record_a: RecordView
    record_b: RecordView
    weight: float
    why_en: str
    why_es: str


class DecisionGraph:
    """Analysts' decisions as groups of records known to be one person, and pairs of groups known
    to be two."""

    def __init__(self, decisions: list[tuple[str, str, str]]) -> None:
        self.parent: dict[str, str] = {}
        apart: list[tuple[str, str]] = []
        for a, b, decision in decisions:
            if decision == "same":
                self._union(a, b)
            elif decision == "different":
                apart.append((a, b))
        self.apart = {frozenset((self.find(a), self.find(b))) for a, b in apart}

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def _union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def same(self, a: str, b: str) -> bool:
        return self.find(a) == self.find(b)

    def different(self, a: str, b: str) -> bool:
        return frozenset((self.find(a), self.find(b))) in self.apart

    def settled(self, a: str, b: str) -> bool:
        """Whether the decisions already say, directly or by implication, what this pair is."""
        return self.same(a, b) or self.different(a, b)


def load_decisions(conn: Connection, entity_type: str = "person") -> DecisionGraph:
    rows = conn.execute(
        select(match_decisions.c.record_a, match_decisions.c.record_b, match_decisions.c.decision).where(
            match_decisions.c.entity_type == entity_type
        )
    ).all()
    return DecisionGraph([tuple(r) for r in rows])


def next_pairs(db: Database, principal: Principal, purpose: str, limit: int = 1) -> list[ReviewItem]:
    """The most uncertain open pairs whose two records this analyst may see, with the evidence."""
    require(db, principal, "review_matches", purpose)
    with db.engine.connect() as conn:
        graph = load_decisions(conn)
        visible_ids = select(records.c.record_id).where(access.visible(principal))
        rows = conn.execute(
            select(review_pairs)
            .where(review_pairs.c.record_a.in_(visible_ids), review_pairs.c.record_b.in_(visible_ids))
            .order_by(review_pairs.c.weight.desc(), review_pairs.c.record_a, review_pairs.c.record_b)
        ).mappings()
        chosen = []
        for row in rows:
            if graph.settled(row["record_a"], row["record_b"]):
                continue
            chosen.append(dict(row))
            if len(chosen) >= limit:
                break
    items = []
    for row in chosen:
        a = access.read_record(db, principal, row["record_a"], purpose)
        b = access.read_record(db, principal, row["record_b"], purpose)
        if not isinstance(a, RecordView) or not isinstance(b, RecordView):
            continue  # visibility changed since the query: not shown
        en, es = explain([int(x) for x in row["levels"].split(",")], row["weight"])
        items.append(ReviewItem(a, b, row["weight"], en, es))
    return items


def decide(
    db: Database,
    principal: Principal,
    record_a: str,
    record_b: str,
    decision: str,
    purpose: str,
    note: str = "",
) -> None:
    """Record an analyst's decision on a pair of records they can both see."""
    require(db, principal, "review_matches", purpose)
    a, b = sorted((record_a, record_b))
    if decision not in DECISIONS or a == b:
        raise refuse(
            db, principal, "review_matches", purpose,
            f"a decision is one of {', '.join(DECISIONS)}, on two different records",
            f"una decisión es una de {', '.join(DECISIONS)}, sobre dos registros distintos",
        )  # fmt: skip
    with db.engine.begin() as conn:
        seen = conn.execute(
            select(records.c.record_id, records.c.record_type).where(
                records.c.record_id.in_((a, b)), access.visible(principal)
            )
        ).all()
        if len(seen) != 2 or {t for _, t in seen} != {"person"}:
            # an unknown id and a record the analyst may not see look the same
            raise refuse(
                db, principal, "review_matches", purpose,
                "no two person records you can see have these ids",
                "no hay dos registros de personas que usted pueda ver con estos identificadores",
                records=[a, b],
            )  # fmt: skip
        values = {
            "decision": decision,
            "decided_by": principal.user_id,
            "decided_at": utcnow(),
            "note": note or None,
        }
        exists = conn.execute(
            select(match_decisions.c.decision).where(
                and_(match_decisions.c.record_a == a, match_decisions.c.record_b == b)
            )
        ).first()
        if exists:
            conn.execute(
                update(match_decisions)
                .where(match_decisions.c.record_a == a, match_decisions.c.record_b == b)
                .values(**values)
            )
        else:
            conn.execute(
                insert(match_decisions).values(record_a=a, record_b=b, entity_type="person", **values)
            )
        audit.record(
            conn, principal.user_id, "decide_match", purpose=purpose,
            detail={"record_ids": [a, b], "decision": decision, "before": exists[0] if exists else None},
        )  # fmt: skip
