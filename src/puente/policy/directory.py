"""The directory of principals, for administrators: who may use Puente, in which agency and roles.
Every change and every listing is audited; a refusal too."""

from __future__ import annotations

from sqlalchemy import select

from puente.policy import audit
from puente.policy.access import require
from puente.policy.principals import Principal, load, save
from puente.store.db import Database
from puente.store.schema import principals


def list_principals(db: Database, actor: Principal, purpose: str) -> list[Principal]:
    require(db, actor, "manage_principals", purpose)
    with db.engine.begin() as conn:
        ids = conn.execute(select(principals.c.user_id).order_by(principals.c.user_id)).scalars().all()
        found = [p for p in (load(conn, user_id) for user_id in ids) if p is not None]
        audit.record(conn, actor.user_id, "list_principals", purpose=purpose, detail={"count": len(found)})
    return found


def put_principal(db: Database, actor: Principal, principal: Principal, purpose: str) -> Principal:
    """Create or update a principal."""
    require(db, actor, "manage_principals", purpose)
    with db.engine.begin() as conn:
        save(conn, principal)
        detail = {"user_id": principal.user_id, "agency": principal.agency, "roles": sorted(principal.roles)}
        audit.record(conn, actor.user_id, "principal_saved", purpose=purpose, detail=detail)
    return principal
