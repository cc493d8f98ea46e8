"""Link analysis: an entity's neighbourhood, paths between two entities, communities with their key
players and timelines, exports as GraphML and FollowTheMoney; every answer from the records the viewer
may see, every read audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from puente.api.deps import Db, IsoDay, Purpose, Viewer
from puente.api.problems import problem, title
from puente.api.schemas import problems
from puente.network.analysis import communities, community, timeline
from puente.network.export import export_file
from puente.network.graph import ENTITY_KINDS, viewer_graph
from puente.network.views import around, community_view, find, path_views

router = APIRouter(tags=["link analysis"])
ERRORS = problems(401, 403, 422)
ENTITY = Path(min_length=3, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")
KINDS = Query(description="Kinds of entity to keep, comma-separated: " + ", ".join(ENTITY_KINDS))
NO_ENTITY = ("no such entity in the records you may see",
             "no existe esa entidad en los registros que puede ver")  # fmt: skip


def _kinds(text: str | None) -> set[str] | None:
    """None: every kind; otherwise the known kinds named (an unknown one keeps nothing)."""
    chosen = {k.strip() for k in (text or "").split(",") if k.strip()}
    return chosen & set(ENTITY_KINDS) if chosen else None


@router.get("/network/entities", responses=ERRORS, summary="Find entities of the link chart by name")
def find_entities(
    db: Db, viewer: Viewer, purpose: Purpose, q: Annotated[str, Query(min_length=1, max_length=200)],
    kind: Annotated[str | None, Query(pattern="^(" + "|".join(ENTITY_KINDS) + ")$")] = None,
) -> list[dict[str, Any]]:  # fmt: skip
    return find(viewer_graph(db, viewer, purpose), q, kind=kind)


@router.get("/network/entities/{entity_id}", responses={**ERRORS, **problems(404)},
            summary="An entity's neighbourhood, each link with its records")  # fmt: skip
def entity_chart(
    request: Request, db: Db, viewer: Viewer, purpose: Purpose, entity_id: Annotated[str, ENTITY],
    depth: Annotated[int, Query(ge=1, le=3)] = 1, kinds: Annotated[str | None, KINDS] = None,
    since: Annotated[IsoDay | None, Query(alias="from")] = None,
    until: Annotated[IsoDay | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 300,
) -> Any:  # fmt: skip
    graph = viewer_graph(db, viewer, purpose)
    period = {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None}
    shown = around(graph, entity_id, depth=depth, kinds=_kinds(kinds), limit=limit, **period)
    if shown is None:
        return problem(request, 404, title(404), NO_ENTITY)
    return shown


@router.get("/network/paths", responses={**ERRORS, **problems(404)},
            summary="The shortest paths between two entities, with the evidence of each hop")  # fmt: skip
def entity_paths(
    request: Request, db: Db, viewer: Viewer, purpose: Purpose,
    source: Annotated[str, Query(alias="from", min_length=3, max_length=80)],
    target: Annotated[str, Query(alias="to", min_length=3, max_length=80)],
    k: Annotated[int, Query(ge=1, le=10)] = 3,
) -> Any:  # fmt: skip
    graph = viewer_graph(db, viewer, purpose)
    if source not in graph.nodes or target not in graph.nodes:
        return problem(request, 404, title(404), NO_ENTITY)
    return {"from": source, "to": target, "paths": path_views(graph, source, target, k=k)}


@router.get("/network/communities", responses=ERRORS, summary="Communities and their key players")
def list_communities(
    db: Db, viewer: Viewer, purpose: Purpose, limit: Annotated[int, Query(ge=1, le=500)] = 50,
    min_persons: Annotated[int, Query(ge=1, le=100)] = 2,
) -> list[dict[str, Any]]:  # fmt: skip
    graph = viewer_graph(db, viewer, purpose)
    return [community_view(graph, c) for c in communities(graph, min_persons=min_persons)[:limit]]


@router.get("/network/communities/{number}/timeline", responses={**ERRORS, **problems(404)},
            summary="What a community did, and when")  # fmt: skip
def community_timeline(
    request: Request, db: Db, viewer: Viewer, purpose: Purpose, number: Annotated[int, Path(ge=1, le=10**6)]
) -> Any:
    graph = viewer_graph(db, viewer, purpose)
    found = community(graph, number)
    if found is None:
        return problem(request, 404, title(404), ("no such community", "no existe esa comunidad"))
    events = timeline(graph, found.members)
    return [{"day": d, "record": r, "type": t, "title": named} for d, r, t, named in events]


@router.get("/network/entities/{entity_id}/export", responses={**ERRORS, **problems(404)},
            summary="An entity's neighbourhood as GraphML or FollowTheMoney entities")  # fmt: skip
def export_chart(
    request: Request, db: Db, viewer: Viewer, purpose: Purpose, entity_id: Annotated[str, ENTITY],
    format: Annotated[str, Query(pattern="^(graphml|ftm)$")] = "graphml",
    depth: Annotated[int, Query(ge=1, le=3)] = 1,
) -> Response:  # fmt: skip
    graph = viewer_graph(db, viewer, purpose)
    if entity_id not in graph.nodes:
        return problem(request, 404, title(404), NO_ENTITY)
    body, media, name = export_file(graph, entity_id, format, depth)
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
