"""What the traces a viewer may see say: indicators on each trace, patterns, and potential traffickers.

Everything here is computed from the viewer's visible traces only (and, for a dealer's trace rate,
from the acquisitions the viewer may see), so an indicator never counts a trace the viewer may not
see. The indicators are hand-written: they are the trafficking signals of ATF's and GAO's trace
reports, which no library encodes. Each carries its reason in English and Spanish.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, select

from puente.model import vocab
from puente.policy import audit
from puente.policy.access import require, visible
from puente.policy.principals import Principal
from puente.store.db import Database
from puente.store.schema import records, trace_acquisitions, traces
from puente.trace.engine import SHORT_TIME_TO_CRIME, visible_traces

UNUSUAL_DEALER_RATE = 3.0  # a dealer whose guns are traced this many times as often as all dealers'
UNUSUAL_DEALER_MIN = 3  # ... with at least this many traced guns
WEIGHTS = {
    "short_time_to_crime": 3.0,
    "purchaser_several_guns": 2.0,
    "recovered_together": 1.0,
    "multiple_sale": 1.0,
    "possessor_not_purchaser": 1.0,
    "unusual_dealer": 0.5,
    "border_state_purchase": 0.5,
}
TTC_BINS = (
    (0, 365, "< 1"),
    (365, 1095, "1-3"),
    (1095, 3650, "3-10"),
    (3650, 7300, "10-20"),
    (7300, 10**6, "20+"),
)


def _gun(v: TraceView) -> str:
    return v.result.get("acquisition_id") or f"{v.source_id}#{v.item}"


def distinct_guns(views: Sequence[TraceView]) -> list[TraceView]:
    """One completed trace per gun: a gun recovered once may be reported twice (a seizure and the
    trace request made of it), and traced once per report."""
    seen: dict[str, TraceView] = {}
    for v in views:
        if v.status == "completed":
            seen.setdefault(_gun(v), v)
    return list(seen.values())


@dataclass
class TraceView:
    id: int
    source_id: str
    item: int
    status: str
    reason: str | None
    requester_agency: str
    recovered_on: str | None
    recovery_state: str | None
    purchaser_key: str | None
    purchaser_id: str | None
    possessor_id: str | None
    dealer_licence: str | None
    dealer_state: str | None
    purchased_on: str | None
    time_to_crime_days: int | None
    request: dict[str, Any]
    result: dict[str, Any]
    indicators: list[dict[str, Any]] = field(default_factory=list)


def read_traces(
    db: Database,
    principal: Principal,
    purpose: str,
    *,
    ids: Sequence[int] | None = None,
    status: str | None = None,
    audit_action: str = "trace_read",
) -> list[TraceView]:
    """The traces this viewer may see, with their indicators computed among those; audited."""
    require(db, principal, "read_records", purpose)
    query = select(traces).where(visible_traces(principal)).order_by(traces.c.id)
    if status is not None:
        query = query.where(traces.c.status == status)
    with db.engine.begin() as conn:
        views = [
            TraceView(
                r.id,
                r.source_id,
                r.item,
                r.status,
                r.reason,
                r.requester_agency,
                r.recovered_on,
                r.recovery_state,
                r.purchaser_key,
                r.purchaser_id,
                r.possessor_id,
                r.dealer_licence,
                r.dealer_state,
                r.purchased_on,
                r.time_to_crime_days,
                orjson.loads(r.request),
                orjson.loads(r.result) if r.result else {},
            )
            for r in conn.execute(query)
        ]
        licences = sorted({v.dealer_licence for v in views if v.dealer_licence})
        sales = _dealer_sales(conn, principal, licences)
        assess(views, sales)
        if ids is not None:
            wanted = set(ids)
            views = [v for v in views if v.id in wanted]
        audit.record(
            conn,
            principal.user_id,
            audit_action,
            purpose=purpose,
            detail={"traces": len(views), "ids": [v.id for v in views[:500]]},
        )
    return views


def _dealer_sales(conn: Any, principal: Principal, licences: list[str]) -> dict[str, int]:
    """Sales per dealer among the acquisitions the viewer may see."""
    found: dict[str, int] = {}
    for start in range(0, len(licences), 500):
        chunk = licences[start : start + 500]
        for licence, n in conn.execute(
            select(trace_acquisitions.c.dealer_licence, func.count())
            .join(records, records.c.record_id == trace_acquisitions.c.record_id)
            .where(trace_acquisitions.c.dealer_licence.in_(chunk), visible(principal))
            .group_by(trace_acquisitions.c.dealer_licence)
        ):
            found[licence] = int(n)
    return found


def _indicator(code: str, en: str, es: str) -> dict[str, Any]:
    return {"code": code, "weight": WEIGHTS.get(code, 0.0), "en": en, "es": es}


def assess(views: list[TraceView], dealer_sales: dict[str, int]) -> None:
    """Each trace's indicators, among the given traces (the viewer's)."""
    done = distinct_guns(views)
    by_purchaser: dict[str, list[TraceView]] = defaultdict(list)
    together: dict[tuple[str, str], list[TraceView]] = defaultdict(list)
    traced_by_dealer: Counter[str] = Counter()
    for v in done:
        if v.purchaser_key:
            by_purchaser[v.purchaser_key].append(v)
            together[(f"{v.recovered_on}|{v.recovery_state}", v.purchaser_key)].append(v)
        if v.dealer_licence:
            traced_by_dealer[v.dealer_licence] += 1
    for v in views:  # every report of a recovery: the gun's seizure names its companions
        if v.status == "completed" and v.purchaser_key:
            key = (v.source_id, v.purchaser_key)
            if all(_gun(m) != _gun(v) for m in together[key]):
                together[key].append(v)
    all_sales = sum(dealer_sales.values())
    overall = sum(traced_by_dealer[d] for d in dealer_sales) / all_sales if all_sales else 0.0
    border = {s.code for s in vocab.states().values() if s.border and s.nation == "US"}
    for v in views:
        out: list[dict[str, Any]] = []
        if v.status != "completed":
            if v.reason == "obliterated_serial":
                out.append(
                    _indicator(
                        "obliterated_serial",
                        "the serial was obliterated: someone wanted the gun untraceable",
                        "la matrícula fue limada: alguien quiso que el arma no pudiera rastrearse",
                    )
                )
            v.indicators = out
            continue
        ttc = v.time_to_crime_days
        if ttc is not None and ttc < SHORT_TIME_TO_CRIME:
            out.append(
                _indicator(
                    "short_time_to_crime",
                    f"recovered {ttc} days after its retail sale (under 3 years)",
                    f"recuperada {ttc} días después de su venta (menos de 3 años)",
                )
            )
        if v.result.get("possessor_is_purchaser") is False:
            out.append(
                _indicator(
                    "possessor_not_purchaser",
                    "the person it was recovered from is not its purchaser",
                    "la persona a quien se le aseguró no es quien la compró",
                )
            )
        if v.result.get("multiple_sale"):
            out.append(
                _indicator(
                    "multiple_sale",
                    "bought in a multiple sale reported by the dealer",
                    "comprada en una venta múltiple reportada por el armero",
                )
            )
        mine = by_purchaser.get(v.purchaser_key or "", [])
        if len(mine) > 1:
            out.append(
                _indicator(
                    "purchaser_several_guns",
                    f"its purchaser bought {len(mine)} traced guns",
                    f"su comprador adquirió {len(mine)} armas rastreadas",
                )
            )
        mates = {
            _gun(m)
            for key in (
                (v.source_id, v.purchaser_key),
                (f"{v.recovered_on}|{v.recovery_state}", v.purchaser_key),
            )
            for m in together.get(key, [])
            if _gun(m) != _gun(v)  # type: ignore[arg-type]
        }
        if mates:
            out.append(
                _indicator(
                    "recovered_together",
                    f"recovered together with {len(mates)} other gun(s) of the same purchaser",
                    f"recuperada junto con {len(mates)} arma(s) más del mismo comprador",
                )
            )
        sold = dealer_sales.get(v.dealer_licence or "", 0)
        traced = traced_by_dealer.get(v.dealer_licence or "", 0)
        if (
            sold
            and overall
            and traced >= UNUSUAL_DEALER_MIN
            and traced / sold >= UNUSUAL_DEALER_RATE * overall
        ):
            out.append(
                _indicator(
                    "unusual_dealer",
                    f"its dealer's guns are traced {traced / sold / overall:.1f} "
                    "times as often as all dealers'",
                    f"las armas de su armero se rastrean "
                    f"{traced / sold / overall:.1f} veces más que las de todos los armeros",
                )
            )
        if v.dealer_state in border:
            out.append(
                _indicator(
                    "border_state_purchase",
                    f"bought in a border state ({v.dealer_state})",
                    f"comprada en un estado fronterizo ({v.dealer_state})",
                )
            )
        v.indicators = out


# --- patterns -----------------------------------------------------------------------------------------------


def _year(day: str | None) -> str:
    return (day or "")[:4] or "?"


def in_period(views: list[TraceView], since: str | None = None, until: str | None = None) -> list[TraceView]:
    """The traces of guns recovered within a period (ISO days, both ends included)."""
    if since is None and until is None:
        return views
    low, high = since or "", until or "9999-12-31"
    return [v for v in views if v.recovered_on and low <= v.recovered_on <= high]


def patterns(views: list[TraceView], top: int = 10) -> dict[str, Any]:
    """Corridors (US source state and city -> Mexican recovery state) with counts by year, top
    source dealers and purchasers, the time-to-crime distribution, and outcomes (of a period: pass
    the traces ``in_period``)."""
    done = distinct_guns(views)
    corridors: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for v in done:
        purchaser = v.result.get("purchaser") or {}
        source_state = purchaser.get("state") or v.dealer_state or "?"
        corridors[(source_state, purchaser.get("city") or "?", v.recovery_state or "?")][
            _year(v.recovered_on)
        ] += 1
    corridor_rows = sorted(
        (
            {
                "source_state": s,
                "source_city": c,
                "recovery_state": r,
                "count": sum(by.values()),
                "by_year": dict(sorted(by.items())),
            }
            for (s, c, r), by in corridors.items()
        ),
        key=lambda row: (-row["count"], row["source_state"], row["source_city"], row["recovery_state"]),
    )
    dealers = Counter(v.dealer_licence for v in done if v.dealer_licence)
    dealer_names = {v.dealer_licence: (v.result.get("dealer") or {}).get("name") for v in done}
    purchasers = Counter(v.purchaser_key for v in done if v.purchaser_key)
    purchaser_names = {v.purchaser_key: (v.result.get("purchaser") or {}).get("name") for v in done}
    histogram = Counter()
    for v in done:
        if v.time_to_crime_days is not None:
            histogram[next(label for lo, hi, label in TTC_BINS if lo <= v.time_to_crime_days < hi)] += 1
    ttcs = sorted(v.time_to_crime_days for v in done if v.time_to_crime_days is not None)
    traced = {(v.source_id, v.item) for v in views if v.status == "completed"}
    failed = {(v.source_id, v.item): v.reason for v in views if v.status == "failed"}
    return {
        "recoveries": len({(v.source_id, v.item) for v in views}),
        "guns_traced": len(done),
        "failed": dict(Counter(r for key, r in failed.items() if key not in traced)),
        "corridors": corridor_rows[: top * 3],
        "by_year": dict(sorted(Counter(_year(v.recovered_on) for v in done).items())),
        "top_dealers": [
            {"licence": d, "name": dealer_names.get(d), "traced": n} for d, n in dealers.most_common(top)
        ],
        "top_purchasers": [
            {"key": k, "name": purchaser_names.get(k), "traced": n} for k, n in purchasers.most_common(top)
        ],
        "time_to_crime_years": {label: histogram.get(label, 0) for _, _, label in TTC_BINS},
        "median_time_to_crime_days": ttcs[len(ttcs) // 2] if ttcs else None,
    }


# --- potential traffickers ---------------------------------------------------------------------------------


@dataclass
class Candidate:
    key: str  # the purchaser's entity (or name-and-birth key)
    name: str | None
    score: float
    guns: int
    trace_ids: list[int]
    purchaser_ids: list[str]
    reasons: list[dict[str, str]]
    associates: list[str]  # record ids of people their guns were recovered from


def ranking(views: list[TraceView], limit: int = 50) -> list[Candidate]:
    """Purchasers ranked by the evidence of their traced guns, each with its explanation."""
    by_purchaser: dict[str, list[TraceView]] = defaultdict(list)
    for v in distinct_guns(views):
        if v.purchaser_key:
            by_purchaser[v.purchaser_key].append(v)
    possessors: dict[str, set[str]] = defaultdict(set)
    for v in views:
        if v.status == "completed" and v.possessor_id and v.result.get("possessor_is_purchaser") is False:
            possessors[v.purchaser_key or ""].add(v.possessor_id)
    out: list[Candidate] = []
    for key, mine in by_purchaser.items():
        counts: Counter[str] = Counter()
        for v in mine:
            counts.update({i["code"] for i in v.indicators})
        score = sum(WEIGHTS[c] * n for c, n in counts.items() if c != "purchaser_several_guns")
        score += WEIGHTS["purchaser_several_guns"] * (len(mine) - 1)
        reasons = [_reason(code, n, len(mine)) for code, n in counts.most_common() if code in REASON_TEXT]
        out.append(
            Candidate(
                key,
                (mine[0].result.get("purchaser") or {}).get("name"),
                round(score, 2),
                len(mine),
                [v.id for v in mine],
                sorted({v.purchaser_id for v in mine if v.purchaser_id}),
                reasons,
                sorted(possessors.get(key, ())),
            )
        )
    out.sort(key=lambda c: (-c.score, -c.guns, c.key))
    return out[:limit]


REASON_TEXT = {
    "short_time_to_crime": (
        "{n} of {g} traced guns recovered within 3 years of purchase",
        "{n} de {g} armas rastreadas recuperadas a menos de 3 años de su compra",
    ),
    "purchaser_several_guns": ("{g} guns bought and later traced", "{g} armas compradas y luego rastreadas"),
    "multiple_sale": ("{n} bought in multiple sales", "{n} compradas en ventas múltiples"),
    "recovered_together": (
        "{n} recovered together with another of their guns",
        "{n} recuperadas junto con otra de sus armas",
    ),
    "possessor_not_purchaser": ("{n} recovered from someone else", "{n} aseguradas a otra persona"),
    "unusual_dealer": (
        "{n} from a dealer with an unusual trace rate",
        "{n} de un armero con una tasa de rastreo inusual",
    ),
    "border_state_purchase": ("{n} bought in a border state", "{n} compradas en un estado fronterizo"),
}


def _reason(code: str, n: int, guns: int) -> dict[str, str]:
    en, es = REASON_TEXT[code]
    return {"code": code, "en": en.format(n=n, g=guns), "es": es.format(n=n, g=guns)}
