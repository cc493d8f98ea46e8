"""Leads: the inbox of the caller's agency, one lead with its history, the workflow (assign, act,
close, comment), a live stream of changes (server-sent events), follow-up figures and webhooks."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from puente.api.deps import Db, Purpose, Viewer
from puente.api.problems import problem, title
from puente.api.schemas import problems
from puente.leads import stream, workflow
from puente.leads.figures import figures
from puente.leads.outbox import add_webhook
from puente.leads.views import OUTCOMES
from puente.policy.access import require

router = APIRouter(tags=["leads"])
ERRORS = problems(401, 403, 422)
LeadId = Annotated[int, Path(ge=1, le=2**62)]


class AssignIn(BaseModel):
    assignee: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9._-]{1,99}$")


class NoteIn(BaseModel):
    note: str = Field(strict=True, min_length=1, max_length=2000, pattern=r"\S")


class CloseIn(BaseModel):
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    note: str = Field(default="", max_length=2000)


class CommentIn(BaseModel):
    text: str = Field(strict=True, min_length=1, max_length=2000, pattern=r"\S")


class WebhookIn(BaseModel):
    url: str = Field(strict=True, max_length=500, pattern=r"^https?://[^\s/]+")


@router.get("/leads", responses=ERRORS, summary="The leads told to your agency, as you may see them")
def list_leads(
    db: Db, viewer: Viewer, purpose: Purpose,
    status: Literal["new", "assigned", "actioned", "closed", "open"] | None = None,
    mine: bool = False,
    task_force: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:  # fmt: skip
    found = workflow.inbox(db, viewer, purpose, workflow.InboxFilter(status, mine, task_force), limit)
    return [v.as_dict() for v in found]


@router.get("/lead-figures", responses=ERRORS, summary="Follow-up figures of your agency's leads")
def lead_figures(db: Db, viewer: Viewer, purpose: Purpose) -> dict[str, Any]:
    return figures(db, viewer, purpose).as_dict()


@router.get("/leads/{lead_id}", responses=problems(401, 403, 404, 422), summary="One lead, with its history")
def read_lead(lead_id: LeadId, request: Request, db: Db, viewer: Viewer, purpose: Purpose) -> Any:
    try:
        return workflow.read(db, viewer, purpose, lead_id).as_dict()
    except workflow.LeadMissing as exc:
        return problem(request, 404, title(404), (exc.en, exc.es))


def _work(request: Request, call: Any) -> Any:
    try:
        call()
    except workflow.LeadMissing as exc:
        return problem(request, 404, title(404), (exc.en, exc.es))
    except workflow.LeadError as exc:
        return problem(request, 409, title(409), (exc.en, exc.es))
    return {"ok": True}


WORK = problems(400, 401, 403, 404, 409, 422)


@router.post(
    "/leads/{lead_id}/assign", responses=WORK, summary="Take a lead, or give it to someone (supervisor)"
)
def assign_lead(
    lead_id: LeadId, body: AssignIn, request: Request, db: Db, viewer: Viewer, purpose: Purpose
) -> Any:
    return _work(request, lambda: workflow.assign(db, viewer, purpose, lead_id, body.assignee))


@router.post("/leads/{lead_id}/action", responses=WORK, summary="Record the action taken")
def act_on_lead(
    lead_id: LeadId, body: NoteIn, request: Request, db: Db, viewer: Viewer, purpose: Purpose
) -> Any:
    return _work(request, lambda: workflow.act(db, viewer, purpose, lead_id, body.note))


@router.post("/leads/{lead_id}/close", responses=WORK, summary="Close a lead with its outcome")
def close_lead(
    lead_id: LeadId, body: CloseIn, request: Request, db: Db, viewer: Viewer, purpose: Purpose
) -> Any:
    return _work(request, lambda: workflow.close(db, viewer, purpose, lead_id, body.outcome, body.note))


@router.post("/leads/{lead_id}/comments", responses=WORK, summary="Comment on a lead")
def comment_lead(
    lead_id: LeadId, body: CommentIn, request: Request, db: Db, viewer: Viewer, purpose: Purpose
) -> Any:
    return _work(request, lambda: workflow.comment(db, viewer, purpose, lead_id, body.text))


@router.post("/webhooks", status_code=201, responses=problems(400, 401, 403, 422),
             summary="Send your agency's lead events to a URL")  # fmt: skip
def new_webhook(body: WebhookIn, db: Db, viewer: Viewer, purpose: Purpose) -> dict[str, int]:
    return {"webhook": add_webhook(db, viewer, purpose, body.url)}


@router.get("/lead-stream", include_in_schema=False)
def lead_stream(
    db: Db, viewer: Viewer, purpose: Purpose,
    after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:  # fmt: skip
    require(db, viewer, "read_records", purpose)
    start = stream.start_from(db, viewer, after, last_event_id)
    return StreamingResponse(stream.events(db, viewer, start), media_type="text/event-stream")
