"""The link chart: an entity's links drawn in the page (pan, zoom, expand a node, filter by kind and
period, highlight the path to another entity), each link with its records and why in the viewer's
language; exports as GraphML, FollowTheMoney and an image. The page draws what these routes answer
from the viewer's own graph."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from puente.network.analysis import communities, timeline
from puente.network.analysis import community as community_numbered
from puente.network.export import export_file
from puente.network.graph import ENTITY_KINDS, viewer_graph
from puente.network.views import KIND_LABELS, around, community_view, find, path_views
from puente.web.pages import Page, _needs_purpose, render

router = APIRouter(include_in_schema=False)
Entity = Annotated[str, Query(min_length=3, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")]
Day = Annotated[str | None, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")]


def _no_purpose(seen: Page) -> JSONResponse | None:
    if seen.purpose:
        return None
    return JSONResponse({"error": "purpose"}, status_code=400)


@router.get("/network", response_class=HTMLResponse)
def chart_page(
    request: Request, seen: Page, entity: Annotated[str, Query(max_length=80)] = "",
    community: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> HTMLResponse:  # fmt: skip
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    graph = viewer_graph(seen.db, seen.principal, seen.purpose)
    found = [] if entity else communities(graph)
    chosen = community_numbered(graph, community) if community else None
    events = timeline(graph, chosen.members) if chosen else []
    start = entity if entity in graph.nodes else ""
    return render(request, seen, "network.html", start=start, asked=entity,
                  communities=[community_view(graph, c) for c in found[:20]],
                  chosen=community_view(graph, chosen) if chosen else None, events=events,
                  kinds=[(k, KIND_LABELS[k]) for k in ENTITY_KINDS])  # fmt: skip


@router.get("/network/around")
def around_data(
    seen: Page, entity: Entity, depth: Annotated[int, Query(ge=1, le=3)] = 1,
    kinds: Annotated[str, Query(max_length=200)] = "", since: Day = None, until: Day = None,
) -> Any:  # fmt: skip
    if (refused := _no_purpose(seen)) is not None:
        return refused
    chosen = {k for k in kinds.split(",") if k in ENTITY_KINDS} if kinds else None
    graph = viewer_graph(seen.db, seen.principal, seen.purpose)
    shown = around(graph, entity, depth=depth, kinds=chosen, since=since or None, until=until or None)
    return shown if shown is not None else JSONResponse({"error": "not_found"}, status_code=404)


@router.get("/network/find")
def find_data(seen: Page, q: Annotated[str, Query(min_length=1, max_length=200)]) -> Any:
    if (refused := _no_purpose(seen)) is not None:
        return refused
    return find(viewer_graph(seen.db, seen.principal, seen.purpose), q)


@router.get("/network/path")
def path_data(seen: Page, source: Entity, target: Entity) -> Any:
    if (refused := _no_purpose(seen)) is not None:
        return refused
    graph = viewer_graph(seen.db, seen.principal, seen.purpose)
    if source not in graph.nodes or target not in graph.nodes:
        return JSONResponse({"error": "not_found"}, status_code=404)
    return path_views(graph, source, target)


@router.get("/network/export")
def export_chart(
    seen: Page, entity: Entity, format: Annotated[str, Query(pattern="^(graphml|ftm)$")] = "graphml",
    depth: Annotated[int, Query(ge=1, le=3)] = 2,
) -> Response:  # fmt: skip
    if (refused := _no_purpose(seen)) is not None:
        return refused
    graph = viewer_graph(seen.db, seen.principal, seen.purpose)
    if entity not in graph.nodes:
        return JSONResponse({"error": "not_found"}, status_code=404)
    body, media, name = export_file(graph, entity, format, depth)
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
