"""The tracing pages: submit a recovered firearm or trace every recovery in bulk, follow the
requests, read a result, and the dashboard of what the viewer's traces say."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from puente.model import vocab
from puente.trace.analysis import TTC_BINS, in_period, patterns, ranking, read_traces
from puente.trace.engine import REASONS, STATUSES, firearm_from_text, submit_one, trace_all
from puente.web.i18n import t
from puente.web.pages import Change, Page, _day, _named, _needs_purpose, render

router = APIRouter(include_in_schema=False)
SHOWN = 200  # traces listed on the page, newest first


@router.get("/traces", response_class=HTMLResponse)
def traces_page(
    request: Request,
    seen: Page,
    status: Annotated[str, Query(max_length=20)] = "",
    submitted: int = -1,
    processed: int = 0,
    completed: int = 0,
) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    views = read_traces(seen.db, seen.principal, seen.purpose, status=status if status in STATUSES else None)
    done = None
    if submitted >= 0:
        done = t("trace_all_done", seen.lang, submitted=submitted, processed=processed, completed=completed)
    return render(
        request, seen, "traces.html", traces=list(reversed(views))[:SHOWN], done=done,
        states=_named((s for s in vocab.states().values() if s.nation == "MX"), seen.lang),
    )  # fmt: skip


@router.post("/traces")
def submit_form(
    seen: Change,
    make: Annotated[str, Form(max_length=100)],
    serial: Annotated[str, Form(max_length=100)],
    model: Annotated[str, Form(max_length=100)] = "",
    caliber: Annotated[str, Form(max_length=60)] = "",
    recovered_on: Annotated[str, Form(max_length=10)] = "",
    state: Annotated[str, Form(max_length=10)] = "",
    city: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    firearm = firearm_from_text(make, model, caliber, serial)
    place = state if state in vocab.states() else None
    trace_id = submit_one(
        seen.db, seen.principal, seen.purpose, firearm, _day(recovered_on), place, city.strip()
    )
    return RedirectResponse(f"/traces/{trace_id}", status_code=303)


@router.post("/traces/bulk")
def bulk_form(seen: Change) -> Response:
    report = trace_all(seen.db, seen.principal, seen.purpose)
    query = f"submitted={report.submitted}&processed={report.processed}&completed={report.completed}"
    return RedirectResponse(f"/traces?{query}", status_code=303)


@router.get("/traces/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    seen: Page,
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    views = read_traces(seen.db, seen.principal, seen.purpose, audit_action="trace_dashboard")
    views = in_period(views, _day(date_from), _day(date_to))
    found = patterns(views, top=10)
    corridors = [
        {"label": f"{c['source_city']}, {c['source_state']} → {c['recovery_state']}", "n": c["count"]}
        for c in found["corridors"][:12]
    ]
    ttc = [{"label": label, "n": found["time_to_crime_years"][label]} for _, _, label in TTC_BINS]
    reasons = {code: {"en": en, "es": es} for code, (en, es) in REASONS.items()}
    return render(
        request, seen, "trace_dashboard.html", p=found, corridors=corridors, ttc=ttc,
        ranking=ranking(views, limit=25), reasons=reasons, date_from=_day(date_from) or "",
        date_to=_day(date_to) or "",
    )  # fmt: skip


@router.get("/traces/{trace_id}", response_class=HTMLResponse)
def trace_page(request: Request, seen: Page, trace_id: int) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    found = read_traces(seen.db, seen.principal, seen.purpose, ids=[trace_id])
    if not found:
        return render(request, seen, "error.html", status=404, message=t("not_found", seen.lang), code=404)
    return render(request, seen, "trace.html", v=found[0])
