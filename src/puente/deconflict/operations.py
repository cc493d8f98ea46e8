"""Planned operations and their overlaps: a time window and a place (a point and a radius). Two
planned operations of different agencies overlap when their windows intersect and their circles
meet; both owners are told in the same transaction that plans the second, with whom to call."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, select, update

from puente.deconflict.alerts import contact, tell
from puente.model import vocab
from puente.policy import audit
from puente.policy.access import Decision, Refused, released, require
from puente.policy.principals import Principal
from puente.store.db import Database
from puente.store.repository import Repository, utcnow
from puente.store.schema import operations

KINDS = ("search_warrant", "controlled_delivery", "surveillance", "coordinated_patrol", "other")
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


class OperationError(ValueError):
    def __init__(self, en: str, es: str) -> None:
        super().__init__(en)
        self.en, self.es = en, es


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): metres matter here, and a few lines of trigonometry
    need no geodesy package."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC (SQLite hands back naive UTC)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class Operation:
    id: int
    owner: str
    kind: str
    title: str
    starts_at: str
    ends_at: str
    latitude: float
    longitude: float
    radius_m: float
    status: str


def _check(
    kind: str, starts_at: dt.datetime, ends_at: dt.datetime, lat: float, lon: float, radius: float
) -> None:
    if kind not in KINDS:
        raise OperationError(
            f"kind must be one of {', '.join(KINDS)}", f"el tipo debe ser uno de {', '.join(KINDS)}"
        )
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise OperationError("give times with their time zone", "indique las horas con su zona horaria")
    if ends_at <= starts_at:
        raise OperationError(
            "the operation must end after it starts", "la operación debe terminar después de empezar"
        )
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise OperationError("latitude or longitude out of range", "latitud o longitud fuera de rango")
    if not (0 < radius <= 100_000):
        raise OperationError(
            "the radius must be over 0 and at most 100 km",
            "el radio debe ser mayor que 0 y de 100 km como máximo",
        )


def plan(
    db: Database,
    principal: Principal,
    purpose: str,
    *,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    latitude: float,
    longitude: float,
    radius_m: float,
    releasable_to: tuple[str, ...] = (),
) -> tuple[int, int]:
    """Plan an operation; returns its id and how many other agencies' operations it overlaps (each
    owner, and this one, told at once)."""
    require(db, principal, "plan_operation", purpose)
    _check(kind, starts_at, ends_at, latitude, longitude, radius_m)
    unknown = vocab.unknown_grantees(releasable_to)
    if unknown:
        raise OperationError(f"unknown nation or agency: {', '.join(unknown)}",
                             f"país o dependencia desconocidos: {', '.join(unknown)}")  # fmt: skip
    start, end = _utc(starts_at), _utc(ends_at)
    with db.engine.begin() as conn:
        grantees = sorted({principal.agency, *releasable_to})
        text = orjson.dumps(
            {"owner": principal.agency, "releasable_to": grantees, "disclosure": "none"}
        ).decode()
        marking = Repository(conn).marking_set(text, grantees)
        new_id = int(conn.execute(
            operations.insert().values(
                owner=principal.agency, created_by=principal.user_id, kind=kind, title=title.strip()[:300],
                starts_at=start, ends_at=end, latitude=latitude, longitude=longitude, radius_m=radius_m,
                status="planned", marking_set_id=marking, created_at=utcnow(),
            ).returning(operations.c.id)
        ).scalar_one())  # fmt: skip
        met = _overlaps(conn, new_id, principal.agency, start, end, latitude, longitude, radius_m)
        audit.record(conn, principal.user_id, "plan_operation", purpose=purpose,
                     detail={"operation": new_id, "overlaps": len(met)})  # fmt: skip
    return new_id, len(met)


def _overlaps(conn: Connection, own_id: int, owner: str, start: dt.datetime, end: dt.datetime,
              lat: float, lon: float, radius: float) -> list[Any]:  # fmt: skip
    """Tell both sides of every overlap with another agency's planned operation."""
    rows = conn.execute(
        select(operations).where(
            operations.c.status == "planned", operations.c.id != own_id, operations.c.owner != owner,
            operations.c.starts_at < end, operations.c.ends_at > start,
        )
    ).all()  # fmt: skip
    met = [r for r in rows if distance_m(lat, lon, r.latitude, r.longitude) <= radius + r.radius_m]
    for other in met:
        mine_en, mine_es = contact(owner)
        theirs_en, theirs_es = contact(other.owner)
        tell(conn, "operation", owner, str(own_id), other.owner, str(other.id), {
            "en": f"your operation {own_id} overlaps in time and place with an operation of {other.owner}: "
                  f"call {theirs_en} before you act",
            "es": f"su operación {own_id} coincide en tiempo y lugar con una operación de {other.owner}: "
                  f"llame a {theirs_es} antes de actuar",
        })  # fmt: skip
        tell(conn, "operation", other.owner, str(other.id), owner, str(own_id), {
            "en": f"your operation {other.id} overlaps in time and place with an operation of {owner}: "
                  f"call {mine_en} before you act",
            "es": f"su operación {other.id} coincide en tiempo y lugar con una operación de {owner}: "
                  f"llame a {mine_es} antes de actuar",
        })  # fmt: skip
    return met


def cancel(db: Database, principal: Principal, purpose: str, operation_id: int) -> None:
    """Cancel one of the agency's own operations: it overlaps nothing from then on."""
    require(db, principal, "plan_operation", purpose)
    with db.engine.begin() as conn:
        done = conn.execute(
            update(operations)
            .where(operations.c.id == operation_id, operations.c.owner == principal.agency)
            .values(status="cancelled")
        ).rowcount
        audit.record(conn, principal.user_id, "cancel_operation", purpose=purpose,
                     detail={"operation": operation_id, "cancelled": bool(done)})  # fmt: skip
    if not done:
        raise Refused(
            Decision(False, "no such operation of your agency", "no existe esa operación de su dependencia")
        )


def released_to(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``operations``: the viewer's agency's own, or released to them."""
    return released(operations.c.owner, operations.c.marking_set_id, principal)


def visible_operations(
    db: Database,
    principal: Principal,
    purpose: str,
    *,
    near: tuple[float, float, float] | None = None,
    since: dt.datetime | None = None,
) -> list[Operation]:
    """Planned operations whose details the viewer may see (their agency's, and those released to
    them), optionally only those within ``near`` = (lat, lon, metres) and not over before ``since``."""
    require(db, principal, "read_records", purpose)
    query = select(operations).where(operations.c.status == "planned", released_to(principal))
    if since is not None:
        query = query.where(operations.c.ends_at > _utc(since))
    with db.engine.begin() as conn:
        rows = conn.execute(query.order_by(operations.c.starts_at)).all()
        if near is not None:
            lat, lon, metres = near
            rows = [r for r in rows if distance_m(lat, lon, r.latitude, r.longitude) <= metres + r.radius_m]
        audit.record(conn, principal.user_id, "read_operations", purpose=purpose,
                     detail={"operations": [r.id for r in rows][:500]})  # fmt: skip
    return [
        Operation(r.id, r.owner, r.kind, r.title, _utc(r.starts_at).isoformat(), _utc(r.ends_at).isoformat(),
                  r.latitude, r.longitude, r.radius_m, r.status)
        for r in rows
    ]  # fmt: skip
