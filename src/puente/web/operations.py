"""The operations page: plan an operation, see the ones you may see, and what deconfliction told
your agency."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from puente.deconflict.alerts import alerts
from puente.deconflict.operations import KINDS, OperationError, cancel, plan, visible_operations
from puente.policy.access import authorize
from puente.web.i18n import t
from puente.web.pages import Change, Page, _needs_purpose, render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, seen: Page | Change, planned: str = "", error: str = "", status: int = 200
) -> HTMLResponse:
    now = dt.datetime.now(dt.UTC)
    return render(
        request, seen, "operations.html", status=status, planned=planned, error=error, kinds=KINDS,
        alerts=alerts(seen.db, seen.principal, seen.purpose),
        operations=visible_operations(seen.db, seen.principal, seen.purpose, since=now),
        can_plan=authorize(seen.principal, "plan_operation").allowed,
    )  # fmt: skip


@router.get("/operations", response_class=HTMLResponse)
def operations_page(request: Request, seen: Page, planned: int = 0, met: int = 0) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    text = t("planned", seen.lang, id=planned, met=met) if planned else ""
    return _page(request, seen, planned=text)


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
