"""For an agency's data stewards: their agency's loads (to follow one while it runs) and the rows
that could not be stored, with the reason in both languages. Another agency's loads and
quarantine are never shown: its file names and raw rows are that agency's data."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from puente.api.deps import Db, Purpose, Viewer
from puente.api.problems import problem, title
from puente.api.schemas import problems
from puente.ingest import quarantine as quarantine_ops
from puente.ingest import stewardship
from puente.policy.principals import Principal
from puente.store.db import Database

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
    return stewardship.agency_quarantine(db, viewer, purpose, None if status == "all" else status, limit)


class LoadRun(BaseModel):
    id: int
    profile: str
    owner: str
    file_name: str
    status: str  # running, completed, failed
    started_at: dt.datetime
    finished_at: dt.datetime | None
    rows_read: int
    records_new: int
    records_new_version: int
    records_unchanged: int
    rows_duplicate: int
    rows_quarantined: int
    checkpoint: int  # rows fully committed: how far a running load has come
    error: str | None


def _runs(
    db: Database, viewer: Principal, purpose: str, limit: int, run_id: int | None = None
) -> list[LoadRun]:
    return [LoadRun.model_validate(r) for r in stewardship.agency_runs(db, viewer, purpose, limit, run_id)]


@router.get("/runs", response_model=list[LoadRun], responses=problems(401, 403, 422),
            summary="Your agency's loads, newest first (stewards)")  # fmt: skip
def load_runs(
    db: Db, viewer: Viewer, purpose: Purpose, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> list[LoadRun]:
    return _runs(db, viewer, purpose, limit)


@router.get("/runs/{run_id}", response_model=LoadRun, responses=problems(401, 403, 404, 422),
            summary="One load of your agency's, to follow while it runs (stewards)")  # fmt: skip
def load_run(
    request: Request, db: Db, viewer: Viewer, purpose: Purpose, run_id: Annotated[int, Path(ge=1, le=2**62)]
) -> LoadRun | JSONResponse:
    found = _runs(db, viewer, purpose, 1, run_id)
    if not found:  # another agency's load and no load look the same
        return problem(request, 404, title(404), ("no such load", "no existe esa carga"))
    return found[0]
