"""The inbox (leads told to the agency, updated live over server-sent events, and the person's watch
hits), one lead's page with its workflow, and the management of one's watches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Header, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from puente.leads import stream
from puente.leads.figures import figures
from puente.leads.views import OUTCOMES, LeadView
from puente.leads.workflow import (
    InboxFilter,
    LeadError,
    LeadMissing,
    act,
    assign,
    close,
    comment,
    inbox,
    read,
)
from puente.policy.access import authorize, require
from puente.policy.principals import Role
from puente.watch.watches import WatchError, add, hits, mine, stop
from puente.web.pages import Change, Page, _needs_purpose, render

router = APIRouter(include_in_schema=False)
FILTERS = ("open", "new", "assigned", "actioned", "closed", "all")


def _leads(seen: Page, status: str) -> list[LeadView]:
    chosen = None if status == "all" else status
    return inbox(seen.db, seen.principal, seen.purpose, InboxFilter(status=chosen))


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request, seen: Page, status: Annotated[str, Query(max_length=20)] = "open"
) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    status = status if status in FILTERS else "open"
    return render(
        request, seen, "inbox.html", leads=_leads(seen, status), chosen=status, filters=FILTERS,
        hits=hits(seen.db, seen.principal, seen.purpose)[:50],
        numbers=figures(seen.db, seen.principal, seen.purpose),
    )  # fmt: skip


@router.get("/inbox/rows", response_class=HTMLResponse)
def inbox_rows(
    request: Request, seen: Page, status: Annotated[str, Query(max_length=20)] = "open"
) -> HTMLResponse:
    """The inbox's table body alone, which the page fetches again when a change arrives."""
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    status = status if status in FILTERS else "open"
    return render(request, seen, "_lead_rows.html", leads=_leads(seen, status))


@router.get("/inbox/stream")
def inbox_stream(
    seen: Page, after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:  # fmt: skip
    require(seen.db, seen.principal, "read_records", seen.purpose)
    start = stream.start_from(seen.db, seen.principal, after, last_event_id)
    return StreamingResponse(stream.events(seen.db, seen.principal, start), media_type="text/event-stream")


def _lead_page(
    request: Request, seen: Page | Change, lead_id: int, error: str = "", status: int = 200
) -> Response:
    try:
        view = read(seen.db, seen.principal, seen.purpose, lead_id)
    except LeadMissing as exc:
        return render(
            request, seen, "error.html", status=404, code=404, message=exc.es if seen.lang == "es" else exc.en
        )
    return render(
        request, seen, "lead.html", status=status, lead=view, error=error, outcomes=OUTCOMES,
        can_work=authorize(seen.principal, "work_leads").allowed,
        supervisor=Role.SUPERVISOR in seen.principal.roles,
    )  # fmt: skip


@router.get("/leads/{lead_id}", response_class=HTMLResponse)
def lead_page(request: Request, seen: Page, lead_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    return _lead_page(request, seen, lead_id)


def _work(request: Request, seen: Change, lead_id: int, call: Callable[[], None]) -> Response:
    try:
        call()
    except LeadMissing as exc:
        return render(
            request, seen, "error.html", status=404, code=404, message=exc.es if seen.lang == "es" else exc.en
        )
    except LeadError as exc:
        return _lead_page(request, seen, lead_id, error=exc.es if seen.lang == "es" else exc.en, status=409)
    return RedirectResponse(f"/leads/{lead_id}", status_code=303)


@router.post("/leads/{lead_id}/assign")
def assign_form(
    request: Request, seen: Change, lead_id: int, assignee: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    to = assignee.strip() or None
    return _work(request, seen, lead_id, lambda: assign(seen.db, seen.principal, seen.purpose, lead_id, to))


@router.post("/leads/{lead_id}/action")
def act_form(
    request: Request, seen: Change, lead_id: int, note: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    return _work(request, seen, lead_id, lambda: act(seen.db, seen.principal, seen.purpose, lead_id, note))


@router.post("/leads/{lead_id}/close")
def close_form(
    request: Request, seen: Change, lead_id: int, outcome: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    return _work(
        request, seen, lead_id, lambda: close(seen.db, seen.principal, seen.purpose, lead_id, outcome, note)
    )


@router.post("/leads/{lead_id}/comments")
def comment_form(
    request: Request, seen: Change, lead_id: int, text: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    return _work(
        request, seen, lead_id, lambda: comment(seen.db, seen.principal, seen.purpose, lead_id, text)
    )


@router.get("/watches", response_class=HTMLResponse)
def watches_page(request: Request, seen: Page, error: str = "") -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    return render(request, seen, "watches.html", watches=mine(seen.db, seen.principal, seen.purpose),
                  hits=hits(seen.db, seen.principal, seen.purpose), error=error)  # fmt: skip


@router.post("/watches", response_model=None)
def add_watch_form(
    request: Request, seen: Change, value: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=20)] = "identifier",
    label: Annotated[str, Form(max_length=300)] = "",
) -> Response:  # fmt: skip
    try:
        add(seen.db, seen.principal, seen.purpose, kind, value, label)
    except WatchError as exc:
        message = exc.es if seen.lang == "es" else exc.en
        return render(request, seen, "watches.html", status=422, error=message,
                      watches=mine(seen.db, seen.principal, seen.purpose), hits=[])  # fmt: skip
    return RedirectResponse("/watches", status_code=303)


@router.post("/watches/{watch_id}/stop")
def stop_watch_form(seen: Change, watch_id: int) -> Response:
    stop(seen.db, seen.principal, seen.purpose, watch_id)
    return RedirectResponse("/watches", status_code=303)
