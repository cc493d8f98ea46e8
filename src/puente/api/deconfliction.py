"""Deconfliction: plan and call off operations, read the ones you may see and what deconfliction
told your agency (whom to call, never the other side's details)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from puente.api.deps import Db, IsoMoment, Purpose, Viewer
from puente.api.problems import language, problem, title
from puente.api.schemas import problems
from puente.deconflict.alerts import alerts
from puente.deconflict.operations import KINDS, OperationError, cancel, plan, visible_operations
from puente.model import vocab

router = APIRouter(tags=["deconfliction"])
GRANTEES = tuple(sorted({*vocab.nations(), *vocab.agencies()}))
ERRORS = problems(401, 403, 422)


class OperationIn(BaseModel):
    kind: Literal[KINDS]  # type: ignore[valid-type]
    title: str = Field(strict=True, min_length=1, max_length=300)
    starts_at: IsoMoment = Field(description="With its time zone")
    hours: float = Field(
        strict=True, ge=0.25, le=720, description="How long it lasts (a quarter of an hour at least)"
    )
    latitude: float = Field(strict=True, ge=-90, le=90)
    longitude: float = Field(strict=True, ge=-180, le=180)
    radius_m: float = Field(strict=True, ge=1, le=100_000)
    releasable_to: list[Literal[GRANTEES]] = Field(default_factory=list, max_length=50)  # type: ignore[valid-type]


class Planned(BaseModel):
    operation: int
    overlaps: int


@router.post("/operations", response_model=Planned, status_code=201, responses=problems(400, 401, 403, 422),
             summary="Plan an operation; overlapping agencies are told at once")  # fmt: skip
def plan_operation(body: OperationIn, request: Request, db: Db, viewer: Viewer, purpose: Purpose) -> Any:
    try:
        new_id, met = plan(
            db, viewer, purpose, kind=body.kind, title=body.title, starts_at=body.starts_at,
            ends_at=body.starts_at + dt.timedelta(hours=body.hours), latitude=body.latitude,
            longitude=body.longitude, radius_m=body.radius_m,
            releasable_to=tuple(body.releasable_to),
        )  # fmt: skip
    except OperationError as exc:
        return problem(request, 422, title(422), (exc.en, exc.es))
    return Planned(operation=new_id, overlaps=met)


@router.post("/operations/{operation_id}/cancel", status_code=204, responses=ERRORS,
             summary="Call off one of your agency's operations")  # fmt: skip
def cancel_operation(
    operation_id: Annotated[int, Path(ge=1, le=2**62)], db: Db, viewer: Viewer, purpose: Purpose
) -> None:
    cancel(db, viewer, purpose, operation_id)


@router.get("/operations", responses=ERRORS, summary="Planned operations whose details you may see")
def list_operations(
    db: Db,
    viewer: Viewer,
    purpose: Purpose,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    within_m: Annotated[float, Query(gt=0, le=1_000_000)] = 5_000,
) -> list[dict[str, Any]]:
    near = (lat, lon, within_m) if lat is not None and lon is not None else None
    return [asdict(o) for o in visible_operations(db, viewer, purpose, near=near)]


@router.get("/deconfliction-alerts", responses=ERRORS, summary="What deconfliction told your agency")
def list_alerts(request: Request, db: Db, viewer: Viewer, purpose: Purpose) -> list[dict[str, Any]]:
    lang = language(request)
    return [
        {"id": a.id, "kind": a.kind, "own_ref": a.own_ref, "other_agency": a.other_agency,
         "contact": a.contact_es if lang == "es" else a.contact_en, "en": a.en, "es": a.es,
         "created_at": a.created_at}
        for a in alerts(db, viewer, purpose)
    ]  # fmt: skip
