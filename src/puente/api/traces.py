"""Firearms tracing: submit a recovered firearm or trace every recovery in bulk, read results,
patterns and the ranking; everything from the traces the viewer may see, every read audited."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from puente.api.deps import Db, IsoDay, Purpose, Viewer
from puente.api.problems import problem, title
from puente.api.schemas import CandidateOut, TraceOut, TraceRequestIn, TraceRunOut, problems
from puente.model import vocab
from puente.trace.analysis import TraceView, in_period, patterns, ranking, read_traces
from puente.trace.engine import STATUSES, firearm_from_text, submit_one, trace_all

router = APIRouter(tags=["tracing"])
ERRORS = problems(401, 403, 422)
WITH_BODY = problems(400, 401, 403, 422)  # 400: a body that is not JSON at all


def _out(v: TraceView) -> TraceOut:
    return TraceOut(
        id=v.id, source_id=v.source_id, item=v.item, status=v.status, reason=v.reason,
        requester_agency=v.requester_agency, recovered_on=v.recovered_on, recovery_state=v.recovery_state,
        time_to_crime_days=v.time_to_crime_days, result=v.result, indicators=v.indicators,  # type: ignore[arg-type]
    )  # fmt: skip


@router.post(
    "/traces", response_model=TraceOut, status_code=201, responses=WITH_BODY, summary="Trace a firearm"
)
def submit(body: TraceRequestIn, db: Db, viewer: Viewer, purpose: Purpose) -> TraceOut:
    firearm = firearm_from_text(body.make, body.model, body.caliber, body.serial)
    state = body.state if body.state in vocab.states() else None
    recovered = body.recovered_on.isoformat() if body.recovered_on else None
    trace_id = submit_one(db, viewer, purpose, firearm, recovered, state, body.city.strip())
    return _out(read_traces(db, viewer, purpose, ids=[trace_id])[0])


@router.post("/trace-runs", response_model=TraceRunOut, responses=ERRORS, summary="Trace every recovery")
def bulk(db: Db, viewer: Viewer, purpose: Purpose) -> TraceRunOut:
    return TraceRunOut(**asdict(trace_all(db, viewer, purpose)))


@router.get("/traces", response_model=list[TraceOut], responses=ERRORS, summary="The traces you may see")
def list_traces(
    db: Db,
    viewer: Viewer,
    purpose: Purpose,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(STATUSES) + ")$")] = None,
) -> list[TraceOut]:
    return [_out(v) for v in read_traces(db, viewer, purpose, status=status)]


@router.get("/traces/patterns", responses=ERRORS, summary="Corridors, dealers, purchasers, time-to-crime")
def trace_patterns(
    db: Db,
    viewer: Viewer,
    purpose: Purpose,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
    since: Annotated[IsoDay | None, Query(alias="from", description="Recovered from this day")] = None,
    until: Annotated[IsoDay | None, Query(alias="to", description="Recovered up to this day")] = None,
) -> dict[str, Any]:
    views = read_traces(db, viewer, purpose, audit_action="trace_patterns")
    period = in_period(views, since.isoformat() if since else None, until.isoformat() if until else None)
    return patterns(period, top=top)


@router.get(
    "/traces/ranking", response_model=list[CandidateOut], responses=ERRORS, summary="Potential traffickers"
)
def trace_ranking(
    db: Db, viewer: Viewer, purpose: Purpose, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[CandidateOut]:
    views = read_traces(db, viewer, purpose, audit_action="trace_ranking")
    return [CandidateOut(**asdict(c)) for c in ranking(views, limit=limit)]


@router.get(
    "/traces/{trace_id}", response_model=TraceOut, responses={**ERRORS, **problems(404)}, summary="One trace"
)
def one(
    trace_id: Annotated[int, Path(ge=1, le=2**62)], request: Request, db: Db, viewer: Viewer, purpose: Purpose
) -> TraceOut | JSONResponse:
    found = read_traces(db, viewer, purpose, ids=[trace_id])
    if not found:  # unknown, or not released to this viewer: they look the same
        return problem(request, 404, title(404), ("no such trace", "no existe ese rastreo"))
    return _out(found[0])


@router.get("/trace-events", responses=ERRORS, summary="Traces whose purchaser is already a case subject")
def trace_events(db: Db, viewer: Viewer, purpose: Purpose) -> list[dict[str, Any]]:
    from puente.trace.events import events

    return events(db, viewer, purpose)
