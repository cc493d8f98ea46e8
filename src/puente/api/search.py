"""Search and entity profiles, from what the viewer may see; every search and profile audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from puente.api.deps import Db, IsoDay, Purpose, Viewer
from puente.api.problems import language, problem, title
from puente.api.records import record_answer
from puente.api.schemas import (
    EntityProfile,
    HeldElsewhere,
    LinkedRecord,
    Reason,
    SearchAnswer,
    SearchHit,
    SearchMatch,
    TimelineEntry,
    problems,
)
from puente.search import Filters, search
from puente.search import HeldElsewhere as Held
from puente.search.profile import profile

router = APIRouter()
ERRORS = problems(401, 403, 422)
Code = Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9/_.\-]+$")]


def _pointer(p: Held, lang: str) -> HeldElsewhere:
    return HeldElsewhere(
        holder=p.holder, record_id=p.record_id, contact=p.contact_es if lang == "es" else p.contact_en
    )


@router.get("/search", response_model=SearchAnswer, responses=ERRORS, summary="Search what you may see")
def search_records(
    request: Request,
    db: Db,
    viewer: Viewer,
    purpose: Purpose,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Names, aliases or identifiers.")],
    record_type: Annotated[str | None, Query(alias="type", max_length=40)] = None,
    owner: Code = None,
    nation: Annotated[str | None, Query(pattern="^[A-Z]{2}$")] = None,
    date_from: Annotated[IsoDay | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDay | None, Query(alias="to")] = None,
    port: Code = None,
    state: Code = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchAnswer:
    lang = language(request)
    filters = Filters(
        record_type, owner, nation, date_from.isoformat() if date_from else None,
        date_to.isoformat() if date_to else None, port, state,
    )  # fmt: skip
    result = search(db, viewer, q, purpose, filters=filters, limit=limit)
    return SearchAnswer(
        query=result.query,
        hits=[
            SearchHit(
                entity_id=h.entity_id, kind=h.kind, title=h.title, score=h.score, holders=list(h.holders),
                matches=[
                    SearchMatch(
                        record_id=m.record_id, record_type=m.record_type, owner=m.owner, title=m.title,
                        day=m.day, score=m.score,
                        reasons=[Reason(token=r.token, text=r.text(lang)) for r in m.reasons],
                    )
                    for m in h.matches
                ],
            )
            for h in result.hits
        ],
        pointers=[_pointer(p, lang) for p in result.pointers],
    )  # fmt: skip


@router.get(
    "/profiles/{record_id:path}",
    response_model=EntityProfile,
    responses={**ERRORS, **problems(404)},
    summary="The entity a record belongs to, as you may know it",
)
def entity_profile(
    record_id: str, request: Request, db: Db, viewer: Viewer, purpose: Purpose
) -> EntityProfile | JSONResponse:
    found = profile(db, viewer, record_id, purpose)
    if found is None:  # unknown, or hidden from this viewer: they look the same
        return problem(request, 404, title(404), ("no such record", "no existe ese registro"))
    lang = language(request)
    return EntityProfile(
        entity_id=found.entity_id, kind=found.kind, title=found.title,
        records=[record_answer(r.view) for r in found.records],
        timeline=[TimelineEntry(day=d, record_id=r, record_type=t, title=ti)
                  for d, r, t, ti in found.timeline()],
        linked=[
            LinkedRecord(record_id=ln.record_id, record_type=ln.record_type, owner=ln.owner, title=ln.title,
                         day=ln.day, relation=ln.relation, entity_id=ln.entity_id)
            for ln in found.linked
        ],
        pointers=[_pointer(p, lang) for p in found.pointers],
    )  # fmt: skip
