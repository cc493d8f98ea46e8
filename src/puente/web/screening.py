"""The officer's console: check a plate, VIN and/or driver at the lane, see each hit with its reason
(or "contact the holder"), say what was done about it; supervisors see each rule's hit rate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from puente.policy.access import authorize
from puente.screen.lanes import ACTIONS, act, rates, screen
from puente.web.pages import Change, Page, _needs_purpose, render

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=60)]


def _console(request: Request, seen: Page | Change, **context: object) -> HTMLResponse:
    can_rate = authorize(seen.principal, "audit_own_agency").allowed
    return render(
        request, seen, "screen.html", actions=ACTIONS, can_screen=authorize(seen.principal, "screen").allowed,
        rates=rates(seen.db, seen.principal, seen.purpose) if can_rate else None, **context,
    )  # fmt: skip


@router.get("/screen", response_class=HTMLResponse)
def console(request: Request, seen: Page) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    return _console(request, seen, answer=None, asked={})


@router.post("/screen", response_class=HTMLResponse)
def check_form(
    request: Request, seen: Change, plate: Field = "", state: Field = "", vin: Field = "",
    surname: Field = "", given: Field = "", birth: Field = "", serial: Field = "", port: Field = "",
) -> HTMLResponse:  # fmt: skip
    asked = {"plate": plate, "state": state, "vin": vin, "surname": surname, "given": given, "birth": birth,
             "serial": serial}  # fmt: skip
    query = {k: (v.strip() or None) for k, v in asked.items()}
    answer = screen(seen.db, seen.principal, seen.purpose, port=port.strip() or None, **query)
    return _console(request, seen, answer=answer, asked=asked)


@router.post("/screen/hits/{hit_id}", response_class=HTMLResponse)
def action_form(
    request: Request, seen: Change, hit_id: int, action: Annotated[str, Form(max_length=20)]
) -> Response:
    if action not in ACTIONS or not act(seen.db, seen.principal, seen.purpose, hit_id, action):
        return render(request, seen, "error.html", status=404, code=404, message="no such hit")
    return _console(request, seen, answer=None, asked={}, recorded=(hit_id, action))
