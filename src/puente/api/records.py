"""Records, entities and counts, each computed from what the viewer may see; every read audited
by the policy layer with the purpose the request states."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from puente.api.deps import Db, Purpose, Viewer
from puente.api.problems import language, problem, title
from puente.api.schemas import Count, Membership, Page, Pointer, Record, problems
from puente.policy import access
from puente.resolve.entities import memberships_page

router = APIRouter()
ERRORS = problems(401, 403, 422)
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]
After = Annotated[str | None, Query(description="The 'next' of the previous page.", max_length=400)]


def record_answer(view: access.RecordView) -> Record:
    return Record(
        record_id=view.record_id, record_type=view.record_type, owner=view.owner, version=view.version,
        content=view.content, withheld_fields=list(view.withheld_fields),
        originator_controlled=view.originator_controlled, markings=view.markings, provenance=view.provenance,
    )  # fmt: skip


@router.get("/status", response_model=list[Count], responses=ERRORS, summary="Records by type and owner")
def status(db: Db, viewer: Viewer, purpose: Purpose) -> list[Count]:
    return [Count(record_type=t, owner=o, count=n) for t, o, n in access.counts(db, viewer, purpose)]


@router.get("/records", response_model=Page[Record], responses=ERRORS, summary="Records you may see")
def list_records(
    db: Db,
    viewer: Viewer,
    purpose: Purpose,
    record_type: Annotated[str | None, Query(alias="type", max_length=40)] = None,
    owner: Annotated[str | None, Query(max_length=40, description="Owner agency, e.g. MX/FGR.")] = None,
    limit: Limit = 100,
    after: After = None,
) -> Page[Record]:
    views = access.visible_records(
        db, viewer, purpose, record_type=record_type, owner=owner, limit=limit, after=after
    )
    last = views[-1].record_id if len(views) == limit else None
    return Page[Record](items=[record_answer(v) for v in views], next=last)


@router.get(
    "/records/{record_id:path}",
    response_model=Record | Pointer,
    responses={**ERRORS, **problems(404)},
    summary="One record, or a pointer to its holder",
)
def read_record(
    record_id: str, request: Request, db: Db, viewer: Viewer, purpose: Purpose
) -> Record | Pointer | JSONResponse:
    found = access.read_record(db, viewer, record_id, purpose)
    if found is None:  # unknown, or marked for no one else: they look the same
        return problem(request, 404, title(404), ("no such record", "no existe ese registro"))
    if isinstance(found, access.Pointer):
        es = language(request) == "es"
        return Pointer(holder=found.holder, contact=found.contact_es if es else found.contact_en)
    return record_answer(found)


@router.get(
    "/entities", response_model=Page[Membership], responses=ERRORS, summary="Records and their entities"
)
def list_entities(
    db: Db,
    viewer: Viewer,
    purpose: Purpose,
    kind: Annotated[str, Query(pattern="^(person|firearm|vehicle|organization|phone|address)$")] = "person",
    limit: Limit = 100,
    after: After = None,
) -> Page[Membership]:
    # a record carrying several phones (or guns) shows once for each: the cursor is record and field
    key = tuple(after.split("\t", 1)) if after is not None else None
    cursor = (key[0], key[1] if len(key) > 1 else "") if key else None
    page = memberships_page(db, viewer, purpose, entity_type=kind, limit=limit, after=cursor)
    items = [Membership(record_id=m.record_id, owner=m.owner, entity_id=m.entity_id, field=m.field)
             for m in page]  # fmt: skip
    last = f"{page[-1].record_id}\t{page[-1].field}" if len(page) == limit else None
    return Page[Membership](items=items, next=last)
