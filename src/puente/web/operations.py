"""The operations page: plan an operation, see the ones you may see, and what deconfliction told
your agency."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from puente.deconflict.alerts import alerts
from puente.deconflict.operations import KINDS, Operation, OperationError, cancel, plan, visible_operations
from puente.policy.access import authorize
from puente.web.i18n import t
from puente.web.pages import Change, Page, _needs_purpose, render

router = APIRouter(include_in_schema=False)


MAP_W, MAP_H, METRES_PER_DEGREE = 640.0, 360.0, 111_320.0


def calendar(operations: list[Operation]) -> list[tuple[str, list[Operation]]]:
    """The operations by the UTC day they start on, soonest first."""
    days: dict[str, list[Operation]] = defaultdict(list)
    for o in operations:
        days[o.starts_at[:10]].append(o)
    return sorted(days.items())


def map_shapes(operations: list[Operation], near: tuple[float, float, float] | None) -> dict[str, Any]:
    """An equirectangular sketch of the operations (circles to scale) and the place asked about, fitted
    to the viewport; drawn as SVG on the page, so the map needs no tiles from anywhere."""
    points = [(o.latitude, o.longitude, o.radius_m) for o in operations]
    if near:
        points.append(near)
    if not points:
        return {"shapes": [], "grid": []}
    pad = [(la, lo, r / METRES_PER_DEGREE) for la, lo, r in points]
    south, north = min(la - d for la, _, d in pad), max(la + d for la, _, d in pad)
    west = min(lo - d / max(0.2, math.cos(math.radians(la))) for la, lo, d in pad)
    east = max(lo + d / max(0.2, math.cos(math.radians(la))) for la, lo, d in pad)
    span = max(north - south, (east - west) * MAP_H / MAP_W, 0.01) * 1.15
    mid_lat, mid_lon = (north + south) / 2, (east + west) / 2
    scale = MAP_H / span  # pixels per degree of latitude

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return MAP_W / 2 + (lon - mid_lon) * scale, MAP_H / 2 - (lat - mid_lat) * scale

    def circle(lat: float, lon: float, metres: float, **what: Any) -> dict[str, Any]:
        x, y = xy(lat, lon)
        ry = metres / METRES_PER_DEGREE * scale
        rx = ry / max(0.2, math.cos(math.radians(lat)))  # a degree of longitude shrinks northwards
        return {
            "x": round(x, 1),
            "y": round(y, 1),
            "rx": round(max(rx, 3), 1),
            "ry": round(max(ry, 3), 1),
            **what,
        }

    shapes = [circle(o.latitude, o.longitude, o.radius_m, label=str(o.id), owner=o.owner, title=o.title,
                     near=False) for o in operations]  # fmt: skip
    if near:
        shapes.append(circle(*near, label="", owner="", title="", near=True))
    step = 10 ** math.floor(math.log10(span)) if span > 0 else 1
    grid = []
    lat = math.floor((mid_lat - span) / step) * step
    while lat <= mid_lat + span:
        grid.append({"y": round(xy(lat, mid_lon)[1], 1), "x": None, "text": f"{lat:.2f}"})
        lat += step
    return {"shapes": shapes, "grid": grid, "width": MAP_W, "height": MAP_H}


def _page(
    request: Request, seen: Page | Change, planned: str = "", error: str = "", status: int = 200,
    near: tuple[float, float, float] | None = None,
) -> HTMLResponse:  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    shown = visible_operations(seen.db, seen.principal, seen.purpose, since=now, near=near)
    return render(
        request, seen, "operations.html", status=status, planned=planned, error=error, kinds=KINDS,
        alerts=alerts(seen.db, seen.principal, seen.purpose), operations=shown, calendar=calendar(shown),
        sketch=map_shapes(shown, near), near=near,
        can_plan=authorize(seen.principal, "plan_operation").allowed,
    )  # fmt: skip


@router.get("/operations", response_class=HTMLResponse)
def operations_page(
    request: Request, seen: Page, planned: int = 0, met: int = 0,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    km: Annotated[float, Query(gt=0, le=500)] = 25.0,
) -> HTMLResponse:  # fmt: skip
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    text = t("planned", seen.lang, id=planned, met=met) if planned else ""
    near = (lat, lon, km * 1000) if lat is not None and lon is not None else None
    return _page(request, seen, planned=text, near=near)


@router.post("/operations", response_model=None)
def plan_form(
    request: Request,
    seen: Change,
    kind: Annotated[str, Form(max_length=40)],
    title: Annotated[str, Form(max_length=300)],
    start: Annotated[str, Form(max_length=30)],
    latitude: Annotated[float, Form(ge=-90, le=90)],
    longitude: Annotated[float, Form(ge=-180, le=180)],
    tz: Annotated[float, Form(ge=-12, le=14)] = 0.0,
    hours: Annotated[float, Form(ge=0.25, le=720)] = 2.0,
    radius: Annotated[float, Form(ge=1, le=100_000)] = 500.0,
) -> Response:
    try:
        local = dt.datetime.fromisoformat(start).replace(tzinfo=dt.timezone(dt.timedelta(hours=tz)))
        new_id, met = plan(
            seen.db, seen.principal, seen.purpose, kind=kind, title=title, starts_at=local,
            ends_at=local + dt.timedelta(hours=hours), latitude=latitude, longitude=longitude,
            radius_m=radius,
        )  # fmt: skip
    except ValueError as exc:  # OperationError is one; a start the browser did not send as a date too
        message = (exc.es if seen.lang == "es" else exc.en) if isinstance(exc, OperationError) else str(exc)
        return _page(request, seen, error=message, status=422)
    return RedirectResponse(f"/operations?planned={new_id}&met={met}", status_code=303)


@router.post("/operations/{operation_id}/cancel")
def cancel_form(seen: Change, operation_id: int) -> Response:
    cancel(seen.db, seen.principal, seen.purpose, operation_id)
    return RedirectResponse("/operations", status_code=303)
