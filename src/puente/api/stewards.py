"""For an agency's data stewards: the rows of their agency's loads that could not be stored, with
the reason in both languages. Another agency's quarantine is never shown: its raw rows are that
agency's data."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from puente.api.deps import Db, Purpose, Viewer
from puente.api.problems import language
from puente.api.schemas import problems
from puente.ingest import quarantine as quarantine_ops
from puente.policy import access, audit

router = APIRouter()


class QuarantinedRow(BaseModel):
    id: int
    file_name: str
    sheet: str
    row_number: int
    profile: str
    owner: str
    code: str
    field: str | None
    reason: str
    errors: list[dict[str, Any]]
    raw: Any
    status: str
    load_run_id: int


@router.get("/quarantine", response_model=list[QuarantinedRow], responses=problems(401, 403, 422),
            summary="Your agency's quarantined rows, and why (stewards)")  # fmt: skip
def quarantine(
    request: Request,
    db: Db,
    viewer: Viewer,
    purpose: Purpose,
    status: Literal["open", "resolved", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[QuarantinedRow]:
    es = language(request) == "es"  # the reasons in the language of Accept-Language
    access.require(db, viewer, "quarantine", purpose)
    entries = quarantine_ops.list_entries(
        db, owner=viewer.agency, status=None if status == "all" else status, limit=limit
    )
    with db.engine.begin() as conn:
        detail = {"owner": viewer.agency, "count": len(entries), "ids": [e.id for e in entries]}
        audit.record(conn, viewer.user_id, "read_quarantine", purpose=purpose, detail=detail)
    return [
        QuarantinedRow(**{k: v for k, v in e.__dict__.items() if k not in ("reason_en", "reason_es")},
                       reason=e.reason_es if es else e.reason_en)
        for e in entries
    ]  # fmt: skip
