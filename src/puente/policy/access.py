"""The one policy layer: what a principal may do, and which records and fields they may see.

Record visibility is compiled into SQL (a subquery on the marking grants), so that counts,
pagination and aggregates are computed inside the query from the visible records only. A hidden
record whose marking allows it yields a pointer: that a holder exists and whom to ask, nothing more.
Every read is audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, func, or_, select

from puente.model import vocab
from puente.policy import audit
from puente.policy.principals import Principal, Role
from puente.store.db import Database
from puente.store.repository import utcnow
from puente.store.schema import access_requests, marking_grants, record_versions, records

# Which roles may perform each operation; everything not listed is refused.
OPERATIONS: dict[str, frozenset[Role]] = {
    "read_records": frozenset({Role.ANALYST, Role.OFFICER, Role.SUPERVISOR, Role.STEWARD}),
    "request_access": frozenset({Role.ANALYST, Role.OFFICER, Role.SUPERVISOR, Role.STEWARD}),
    "decide_access": frozenset({Role.STEWARD}),
    "status": frozenset({Role.ANALYST, Role.OFFICER, Role.SUPERVISOR, Role.STEWARD}),
    "ingest": frozenset({Role.STEWARD}),
    "quarantine": frozenset({Role.STEWARD}),
    "remark": frozenset({Role.STEWARD}),
    "audit_own_agency": frozenset({Role.STEWARD, Role.SUPERVISOR}),
    "manage_principals": frozenset({Role.ADMIN}),
    "trace": frozenset({Role.ANALYST, Role.SUPERVISOR}),
    "export": frozenset({Role.ANALYST, Role.SUPERVISOR, Role.STEWARD}),
    "review_matches": frozenset({Role.ANALYST, Role.SUPERVISOR}),
    "plan_operation": frozenset({Role.ANALYST, Role.OFFICER, Role.SUPERVISOR}),
    "work_leads": frozenset({Role.ANALYST, Role.OFFICER, Role.SUPERVISOR}),
    "manage_webhooks": frozenset({Role.SUPERVISOR, Role.STEWARD}),
    "screen": frozenset({Role.OFFICER, Role.ANALYST, Role.SUPERVISOR}),
}
CERTIFICATES = {"trace": "tracing"}  # as eTrace requires its course


@dataclass(frozen=True)
class Decision:
    allowed: bool
    en: str
    es: str


def authorize(principal: Principal, operation: str) -> Decision:
    if not principal.active:
        return Decision(False, f"{principal.user_id} is deactivated", f"{principal.user_id} está desactivado")
    allowed_roles = OPERATIONS.get(operation)
    if allowed_roles is None:
        return Decision(False, f"unknown operation '{operation}'", f"operación desconocida '{operation}'")
    if not principal.roles & allowed_roles:
        roles = ", ".join(sorted(allowed_roles))
        return Decision(
            False,
            f"'{operation}' needs one of the roles: {roles}",
            f"'{operation}' requiere uno de los roles: {roles}",
        )
    certificate = CERTIFICATES.get(operation)
    if certificate and certificate not in principal.certificates:
        return Decision(
            False,
            f"'{operation}' needs the '{certificate}' course certificate",
            f"'{operation}' requiere el certificado del curso '{certificate}'",
        )
    return Decision(True, "allowed", "permitido")


class Refused(PermissionError):
    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.en)
        self.decision = decision


def granted_sets(principal: Principal) -> Select[Any]:
    """Ids of the marking sets that release to the viewer's nation or agency."""
    return select(marking_grants.c.marking_set_id).where(marking_grants.c.grantee.in_(principal.grantees))


def released(
    owner: ColumnElement[Any], marking_set: ColumnElement[Any], principal: Principal
) -> ColumnElement[bool]:
    """SQL condition on any table of marked rows (records, traces, operations): the viewer's own
    agency's, or a marking that releases them to the viewer."""
    return or_(owner == principal.agency, marking_set.in_(granted_sets(principal)))


def visible(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``records``: the owner agency, a marking that releases to the viewer, or an
    approved access request of the viewer's that has not expired (checked against the clock now)."""
    return or_(
        released(records.c.owner, records.c.marking_set_id, principal),
        records.c.record_id.in_(approved(principal, "view")),
    )


def audience(owner: str, markings: dict[str, Any]) -> set[str]:
    """The agencies that may see a record: its owner and every agency its marking releases it to,
    by code or by nation."""
    return set(_audience(owner, tuple(sorted(markings.get("releasable_to", ())))))


@cache
def _audience(owner: str, released: tuple[str, ...]) -> frozenset[str]:
    names = set(released)
    return frozenset(
        {owner} | {a.code for a in vocab.agencies().values() if a.code in names or a.nation in names}
    )


def approved(principal: Principal, kind: str) -> Select[Any]:
    """Record ids of this viewer's approved, unexpired requests of one kind (view or export)."""
    return select(access_requests.c.record_id).where(
        access_requests.c.requester == principal.user_id,
        access_requests.c.kind == kind,
        access_requests.c.status == "approved",
        access_requests.c.expires_at > utcnow(),
    )


def require(db: Database, principal: Principal, operation: str, purpose: str) -> None:
    """Refuse, audited, unless the principal may perform the operation and states a purpose of use."""
    decision = authorize(principal, operation)
    if decision.allowed and not (purpose or "").strip():
        decision = Decision(
            False,
            "state a purpose of use: it is recorded with what you see",
            "indique el propósito de la consulta: queda registrado con lo que usted ve",
        )
    if not decision.allowed:
        with db.engine.begin() as conn:
            audit.record(
                conn,
                principal.user_id,
                f"refused:{operation}",
                purpose=purpose,
                detail={"reason": decision.en},
            )
        raise Refused(decision)


def counts(db: Database, principal: Principal, purpose: str) -> list[tuple[str, str, int]]:
    """Records by type and owner agency, counted from what the viewer may see only."""
    require(db, principal, "status", purpose)
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(records.c.record_type, records.c.owner, func.count())
            .where(visible(principal))
            .group_by(records.c.record_type, records.c.owner)
            .order_by(records.c.owner, records.c.record_type)
        ).all()
        audit.record(conn, principal.user_id, "status", purpose=purpose, detail={"groups": len(rows)})
    return [(t, o, int(n)) for t, o, n in rows]


@dataclass(frozen=True)
class Pointer:
    """All a viewer may learn of a record they may not see."""

    holder: str
    contact_en: str
    contact_es: str

    @classmethod
    def of(cls, holder: str) -> Pointer:
        """The holder agency and whom to ask there, in both languages."""
        agency = vocab.agencies().get(holder)
        return cls(
            holder, agency.contact("en") if agency else holder, agency.contact("es") if agency else holder
        )


@dataclass(frozen=True)
class RecordView:
    record_id: str
    record_type: str
    owner: str
    version: int
    content: dict[str, Any]
    withheld_fields: tuple[str, ...]
    originator_controlled: bool = False
    # on a single record's read: its markings, and where it came from (file, sheet, row, load, when)
    markings: dict[str, Any] | None = None
    provenance: dict[str, Any] | None = None


def read_record(
    db: Database, principal: Principal, record_id: str, purpose: str
) -> RecordView | Pointer | None:
    """One record as this viewer may see it: whole, with restricted fields withheld, as a pointer, or
    nothing at all (an unknown id and a record marked 'none' look the same)."""
    require(db, principal, "read_records", purpose)
    with db.engine.begin() as conn:
        row = (
            conn.execute(
                select(records, visible(principal).label("visible")).where(records.c.record_id == record_id)
            )
            .mappings()
            .first()
        )
        if row is None or not row["visible"]:
            pointer = None
            if row is not None and row["disclosure"] == "pointer":
                pointer = Pointer.of(row["owner"])
            audit.record(
                conn,
                principal.user_id,
                "read_record",
                purpose=purpose,
                detail={"record_id": record_id, "outcome": "pointer" if pointer else "nothing"},
            )
            return pointer
        version = conn.execute(
            select(
                record_versions.c.canonical, record_versions.c.file_name, record_versions.c.sheet,
                record_versions.c.row_number, record_versions.c.profile, record_versions.c.load_run_id,
                record_versions.c.received_at, record_versions.c.remarked_by,
            ).where(record_versions.c.record_id == record_id, record_versions.c.version == row["version"])
        ).one()  # fmt: skip
        audit.record(
            conn,
            principal.user_id,
            "read_record",
            purpose=purpose,
            detail={"record_id": record_id, "version": row["version"], "outcome": "record"},
        )
    content = orjson.loads(version.canonical)
    markings = orjson.loads(row["markings"])
    withheld = _withhold(content, markings, principal, row["owner"])
    provenance = {
        "file": version.file_name, "sheet": version.sheet, "row": version.row_number,
        "profile": version.profile, "load_run": version.load_run_id, "received_at": version.received_at,
        "remarked_by": version.remarked_by,
    }  # fmt: skip
    return RecordView(
        record_id, row["record_type"], row["owner"], row["version"], content, withheld,
        bool(row["originator_controlled"]), markings, provenance,
    )  # fmt: skip


def shown_content(
    content: dict[str, Any], markings: dict[str, Any], principal: Principal, owner: str
) -> dict[str, Any]:
    """The content less the fields restricted to others (``content`` itself is left as it was)."""
    shown = orjson.loads(orjson.dumps(content))
    _withhold(shown, markings, principal, owner)
    return dict(shown)


def withheld_paths(markings: dict[str, Any], principal: Principal, owner: str) -> tuple[str, ...]:
    """The field paths of a record restricted to others than this viewer."""
    if principal.agency == owner:
        return ()
    return tuple(
        path
        for path, grantees in markings.get("restricted_fields", {}).items()
        if principal.nation not in grantees and principal.agency not in grantees
    )


def _withhold(
    content: dict[str, Any], markings: dict[str, Any], principal: Principal, owner: str
) -> tuple[str, ...]:
    """Remove fields restricted to others (an SSN kept inside the owner nation, say)."""
    withheld = []
    for path in withheld_paths(markings, principal, owner):
        node: Any = content
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and parts[-1] in node:
            del node[parts[-1]]
            withheld.append(path)
    return tuple(withheld)


def visible_records(
    db: Database,
    principal: Principal,
    purpose: str,
    *,
    record_type: str | None = None,
    owner: str | None = None,
    limit: int | None = None,
    after: str | None = None,
    record_ids: Sequence[str] | None = None,
    operation: str = "read_records",
    audit_action: str | None = "read_records",
) -> list[RecordView]:
    """The newest version of every record this viewer may see (filtered by type and owner agency),
    with restricted fields withheld, in record id order (from the first id after ``after``, for
    pages; only ``record_ids`` when given). Audited as one entry with the ids read
    (``audit_action=None`` leaves the entry to a caller that audits what it passes on)."""
    require(db, principal, operation, purpose)
    query = (
        select(
            records.c.record_id, records.c.record_type, records.c.owner, records.c.version,
            records.c.markings, records.c.originator_controlled, record_versions.c.canonical,
        )
        .join(
            record_versions,
            (record_versions.c.record_id == records.c.record_id)
            & (record_versions.c.version == records.c.version),
        )
        .where(visible(principal))
        .order_by(records.c.record_id)
    )  # fmt: skip
    if record_type is not None:
        query = query.where(records.c.record_type == record_type)
    if owner is not None:
        query = query.where(records.c.owner == owner)
    if after is not None:
        query = query.where(records.c.record_id > after)
    if record_ids is not None:
        query = query.where(records.c.record_id.in_(sorted(set(record_ids))))
    if limit is not None:
        query = query.limit(limit)
    views: list[RecordView] = []
    with db.engine.begin() as conn:
        for row in conn.execute(query):
            content = orjson.loads(row.canonical)
            withheld = _withhold(content, orjson.loads(row.markings), principal, row.owner)
            views.append(
                RecordView(
                    row.record_id, row.record_type, row.owner, row.version, content, withheld,
                    bool(row.originator_controlled),
                )
            )  # fmt: skip
        if audit_action is not None:
            audit.record(
                conn, principal.user_id, audit_action, purpose=purpose,
                detail={"filters": {"record_type": record_type, "owner": owner}, **records_detail(views)},
            )  # fmt: skip
    return views


AUDIT_IDS = 500  # an audit entry lists up to this many record ids; beyond, counts and a digest


def records_detail(views: list[RecordView]) -> dict[str, Any]:
    """What an audit entry says of the records a read returned: counts by owner agency, so that
    each owner's steward finds it, and the ids (or, for a large read, their digest)."""
    by_owner: dict[str, int] = {}
    for view in views:
        by_owner[view.owner] = by_owner.get(view.owner, 0) + 1
    ids = [v.record_id for v in views]
    detail: dict[str, Any] = {"count": len(ids), "owners": by_owner}
    if len(ids) <= AUDIT_IDS:
        detail["record_ids"] = ids
    else:
        detail["record_ids_sha256"] = hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()
    return detail
