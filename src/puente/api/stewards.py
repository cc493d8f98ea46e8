"""For an agency's data stewards: the rows of their agency's loads that could not be stored, with
the reason in both languages. Another agency's quarantine is never shown: its raw rows are that
agency's data."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from puente.api.deps import Db, Purpose, Viewer
from puente.api.schemas import problems
from puente.ingest import quarantine as quarantine_ops
from puente.policy import access, audit

router = APIRouter()


@router.get("/quarantine", response_model=list[quarantine_ops.Entry], responses=problems(401, 403, 422),
            summary="Your agency's quarantined rows, and why, in English and Spanish (stewards)")  # fmt: skip
def quarantine(
    db: Db,
    viewer: Viewer,
    purpose: Purpose,
    status: Literal["open", "resolved", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[quarantine_ops.Entry]:
    access.require(db, viewer, "quarantine", purpose)
    entries = quarantine_ops.list_entries(
        db, owner=viewer.agency, status=None if status == "all" else status, limit=limit
    )
    with db.engine.begin() as conn:
        detail = {"owner": viewer.agency, "count": len(entries), "ids": [e.id for e in entries]}
        audit.record(conn, viewer.user_id, "read_quarantine", purpose=purpose, detail=detail)
    return entries
