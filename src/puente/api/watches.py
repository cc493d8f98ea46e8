"""Watches: watch an identifier or an entity, and read the new data that touched it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from puente.api.deps import Db, Purpose, Viewer
from puente.api.problems import problem, title
from puente.api.schemas import problems
from puente.watch.watches import WatchError, add, hits

router = APIRouter(tags=["watches"])
ERRORS = problems(401, 403, 422)


class WatchIn(BaseModel):
    kind: Literal["identifier", "entity"]
    value: str = Field(strict=True, min_length=2, max_length=200, pattern=r"[A-Za-z0-9].*[A-Za-z0-9]")
    label: str = Field(default="", max_length=300)


@router.post(
    "/watches",
    status_code=201,
    responses=problems(400, 401, 403, 404, 422),
    summary="Watch an identifier or entity",
)
def add_watch(body: WatchIn, request: Request, db: Db, viewer: Viewer, purpose: Purpose) -> Any:
    try:
        return {"watch": add(db, viewer, purpose, body.kind, body.value, body.label)}
    except WatchError as exc:
        status = 404 if exc.missing else 422
        return problem(request, status, title(status), (exc.en, exc.es))


@router.get("/watch-hits", responses=ERRORS, summary="New data on what you watch, as you may see it")
def watch_hits(db: Db, viewer: Viewer, purpose: Purpose) -> list[dict[str, Any]]:
    return [asdict(h) for h in hits(db, viewer, purpose)]
