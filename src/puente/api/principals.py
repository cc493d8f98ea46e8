"""Who the caller is, and for administrators the directory of principals."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from puente.api.deps import Db, Purpose, Viewer
from puente.api.schemas import problems
from puente.model import vocab
from puente.policy.directory import list_principals, put_principal
from puente.policy.principals import Principal, Role

router = APIRouter()
UserId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{1,99}$")]


# The vocabularies as enumerations, so that the published schema names every allowed value.
AgencyCode = StrEnum("AgencyCode", {code: code for code in sorted(vocab.agencies())})  # type: ignore[misc]
TaskForceCode = StrEnum("TaskForceCode", {code: code for code in sorted(vocab.task_forces())})  # type: ignore[misc]


class PrincipalIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    agency: AgencyCode = Field(description="e.g. MX/FGR")  # type: ignore[valid-type]
    roles: list[Role] = Field(min_length=1)
    task_forces: list[TaskForceCode] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]
    certificates: list[str] = Field(default_factory=list, max_length=20)
    active: bool = True


@router.get("/me", response_model=Principal, responses=problems(401), summary="Who you are")
def me(viewer: Viewer) -> Principal:
    return viewer


@router.get("/principals", response_model=list[Principal], responses=problems(401, 403, 422),
            summary="Every principal (administrators)")  # fmt: skip
def principals(db: Db, viewer: Viewer, purpose: Purpose) -> list[Principal]:
    return list_principals(db, viewer, purpose)


@router.put("/principals/{user_id}", response_model=Principal, responses=problems(400, 401, 403, 422),
            summary="Create or update a principal (administrators)")  # fmt: skip
def put(user_id: UserId, body: PrincipalIn, db: Db, viewer: Viewer, purpose: Purpose) -> Principal:
    try:  # an unknown agency or task force is the caller's error, said as such
        principal = Principal(
            user_id=user_id, name=body.name, agency=str(body.agency), roles=frozenset(body.roles),
            task_forces=frozenset(str(t) for t in body.task_forces),
            certificates=frozenset(body.certificates), active=body.active,
        )  # fmt: skip
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None
    return put_principal(db, viewer, principal, purpose)
