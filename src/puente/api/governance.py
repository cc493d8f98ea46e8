"""Access requests (ask the holder of a hidden record; stewards decide) and the audit of who read
an agency's records, each under the policy layer's rules."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from puente.api.deps import Db, Purpose, Viewer
from puente.api.schemas import problems
from puente.policy import oversight, requests

router = APIRouter()
ERRORS = problems(401, 403, 422)
WITH_BODY = problems(400, 401, 403, 422)  # 400: a body that is not JSON at all


class NewRequest(BaseModel):
    record_id: str = Field(min_length=1, max_length=400)
    reason: str = Field(min_length=1, max_length=2000, description="Why you need it: the holder reads this.")
    kind: Literal["view", "export"] = "view"


class Decision(BaseModel):
    approve: bool
    days: int = Field(30, ge=1, le=requests.MAX_DAYS)
    note: str = Field("", max_length=2000)


class Created(BaseModel):
    id: int


# the policy layer's own records are the answers (FastAPI reads their dataclass fields)
@router.get("/access-requests", response_model=list[requests.AccessRequest], responses=ERRORS,
            summary="Your access requests; for a steward, also those for the agency's records")  # fmt: skip
def list_access_requests(db: Db, viewer: Viewer, purpose: Purpose) -> list[requests.AccessRequest]:
    return requests.list_requests(db, viewer, purpose)


@router.post("/access-requests", response_model=Created, status_code=201, responses=WITH_BODY,
             summary="Ask the holder of a record for access")  # fmt: skip
def create_access_request(body: NewRequest, db: Db, viewer: Viewer, purpose: Purpose) -> Created:
    made = requests.request_access(db, viewer, body.record_id, body.reason, purpose, kind=body.kind)
    return Created(id=made)


@router.post("/access-requests/{request_id}/decision", response_model=requests.AccessRequest,
             responses=WITH_BODY,
             summary="Approve or deny a pending request (the owner's steward)")  # fmt: skip
def decide_access_request(
    request_id: Annotated[int, Path(ge=1, le=2**62)], body: Decision, db: Db, viewer: Viewer, purpose: Purpose
) -> requests.AccessRequest:
    return requests.decide(
        db, viewer, request_id, approve=body.approve, purpose=purpose, days=body.days, note=body.note
    )


@router.get("/audit/views", response_model=list[oversight.View], responses=ERRORS,
            summary="Who read, was pointed to, asked for or exported your agency's records")  # fmt: skip
def audit_views(
    db: Db, viewer: Viewer, purpose: Purpose, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[oversight.View]:
    return oversight.views_of_agency(db, viewer, purpose, limit=limit)
