"""Screening at the lane: one check of a plate, VIN and/or driver against both nations' hot lists,
what the officer did about a hit, and each rule's hit rate for supervisors."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from puente.api.deps import Db, LaneViewer, Purpose, Viewer
from puente.api.problems import problem, title
from puente.api.schemas import problems
from puente.screen import lanes
from puente.screen.check import Match
from puente.screen.lanes import ACTIONS, act, rates

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
    serial: Short | None = Field(default=None, description="A firearm's serial number, found in the vehicle")
    port: Short | None = None


class ActionIn(BaseModel):
    action: Literal[ACTIONS]  # type: ignore[valid-type]


class Said(BaseModel):
    en: str
    es: str


class CheckOut(BaseModel):
    hit: bool
    flagged: bool = Field(description="risk flags to weigh: the matches whose reason begins with flag_")
    matches: list[Match]  # each says how it matched and why, in both languages
    problems: list[Said]
    hit_ids: list[int]


@router.post("/screen", responses=problems(400, 401, 403, 422, 503), response_model=CheckOut,
             summary="Check a vehicle and driver against both nations' hot lists")  # fmt: skip
async def check(body: CheckIn, request: Request, db: Db, viewer: LaneViewer, purpose: Purpose) -> Any:
    # On the event loop, as a lane must answer in milliseconds: the check is in memory. The hot
    # lists' watermark (read once a second, and a reload) goes to the thread pool, the hits to the
    # recorder's thread, which commits many lanes' hits at once.
    index = lanes.fresh(db) or await run_in_threadpool(lanes.current, db)
    answer = lanes.lookup(index, db, viewer, purpose, **body.model_dump(exclude={"port"}))
    try:
        recorded = lanes.recorder(db).submit(viewer, purpose, answer, body.port)
        await asyncio.wait_for(asyncio.wrap_future(recorded), lanes.RECORD_WAIT_S)
    except (TimeoutError, SQLAlchemyError):
        # a hit that is not recorded is not answered: the officer checks again
        return problem(request, 503, title(503), ("the hit could not be recorded: check again",
                                                  "no se pudo registrar la coincidencia: revise de nuevo"))
    found = [{"en": en, "es": es} for en, es in answer.problems]
    return {"hit": answer.hit, "flagged": answer.flagged, "matches": [vars(m) for m in answer.matches],
            "problems": found, "hit_ids": answer.hit_ids}  # fmt: skip


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
