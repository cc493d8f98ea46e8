"""Screening at the lane: one check of a plate, VIN and/or driver against both nations' hot lists,
what the officer did about a hit, and each rule's hit rate for supervisors."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from puente.api.deps import Db, Purpose, Viewer
from puente.api.problems import problem, title
from puente.api.schemas import problems
from puente.screen.lanes import ACTIONS, act, rates, screen

router = APIRouter(tags=["screening"])
Short = Annotated[str, Field(strict=True, max_length=60)]


class CheckIn(BaseModel):
    plate: Short | None = None
    state: Short | None = Field(default=None, description="The plate's state, e.g. US-TX or MX-TAM")
    vin: Short | None = None
    surname: Short | None = None
    given: Short | None = None
    birth: str | None = Field(
        default=None, strict=True, pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD"
    )
    identifier: Short | None = Field(default=None, description="CURP, SSN, passport or licence")
    port: Short | None = None


class ActionIn(BaseModel):
    action: Literal[ACTIONS]  # type: ignore[valid-type]


@router.post("/screen", responses=problems(400, 401, 403, 422),
             summary="Check a vehicle and driver against both nations' hot lists")  # fmt: skip
def check(body: CheckIn, db: Db, viewer: Viewer, purpose: Purpose) -> dict[str, Any]:
    query = body.model_dump(exclude={"port"})
    answer = screen(db, viewer, purpose, port=body.port, **query)
    found = [{"en": en, "es": es} for en, es in answer.problems]
    return {"hit": answer.hit, "matches": [asdict(m) for m in answer.matches], "problems": found,
            "hit_ids": answer.hit_ids}  # fmt: skip


@router.post("/screen-hits/{hit_id}/action", status_code=204, response_model=None,
             responses=problems(400, 401, 403, 404, 422), summary="What was done about a hit")  # fmt: skip
def hit_action(
    hit_id: Annotated[int, Path(ge=1, le=2**62)], body: ActionIn, request: Request, db: Db, viewer: Viewer,
    purpose: Purpose,
) -> Response:  # fmt: skip
    if not act(db, viewer, purpose, hit_id, body.action):
        return problem(request, 404, title(404), ("no such hit of your agency", "no existe esa coincidencia"))
    return Response(status_code=204)


@router.get("/screen-rates", responses=problems(401, 403, 422), summary="Each rule's hits and false-hit rate")
def screen_rates(db: Db, viewer: Viewer, purpose: Purpose) -> dict[str, Any]:
    return rates(db, viewer, purpose)
