"""Watches: watch an identifier or an entity, and read the new data that touched it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from puente.api.deps import Db, Purpose, Viewer
from puente.api.problems import problem, title
from puente.api.schemas import problems
from puente.watch.watches import WatchError, add, hits, mine, stop

router = APIRouter(tags=["watches"])
ERRORS = problems(401, 403, 422)


class WatchIn(BaseModel):
    kind: Literal["identifier", "entity"]
    value: str = Field(strict=True, min_length=2, max_length=200, pattern=r"[A-Za-z0-9].*[A-Za-z0-9]")
    label: str = Field(default="", max_length=300)
    case_id: str | None = Field(default=None, max_length=400, description="The case it is kept for")


@router.post(
    "/watches",
    status_code=201,
    responses=problems(400, 401, 403, 404, 422),
    summary="Watch an identifier or entity",
)
def add_watch(body: WatchIn, request: Request, db: Db, viewer: Viewer, purpose: Purpose) -> Any:
    try:
        return {"watch": add(db, viewer, purpose, body.kind, body.value, body.label, body.case_id)}
    except WatchError as exc:
        status = 404 if exc.missing else 422
        return problem(request, status, title(status), (exc.en, exc.es))


@router.get("/watches", responses=ERRORS, summary="Your watches, newest first")
def my_watches(db: Db, viewer: Viewer, purpose: Purpose) -> list[dict[str, Any]]:
    return [asdict(w) for w in mine(db, viewer, purpose)]


@router.post("/watches/{watch_id}/stop", status_code=204, response_model=None,
             responses=problems(401, 403, 404, 422), summary="Turn one of your watches off")  # fmt: skip
def stop_watch(
    watch_id: Annotated[int, Path(ge=1, le=2**62)], request: Request, db: Db, viewer: Viewer, purpose: Purpose
) -> Response:
    if not stop(db, viewer, purpose, watch_id):
        return problem(request, 404, title(404), ("no such watch of yours", "no existe esa vigilancia suya"))
    return Response(status_code=204)


@router.get("/watch-hits", responses=ERRORS, summary="New data on what you watch, as you may see it")
def watch_hits(db: Db, viewer: Viewer, purpose: Purpose) -> list[dict[str, Any]]:
    return [asdict(h) for h in hits(db, viewer, purpose)]
