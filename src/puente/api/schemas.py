"""What the API answers with: records as the viewer may see them, pointers, entities, pages."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Record(BaseModel):
    kind: Literal["record"] = "record"
    record_id: str
    record_type: str
    owner: str
    version: int
    content: dict[str, Any] = Field(description="The canonical record, restricted fields withheld.")
    withheld_fields: list[str] = Field(description="Fields the owner does not release to this viewer.")
    originator_controlled: bool


class Pointer(BaseModel):
    """All a viewer learns of a record they may not see: who holds it and how to ask."""

    kind: Literal["pointer"] = "pointer"
    holder: str
    contact: str


class Membership(BaseModel):
    record_id: str
    owner: str
    entity_id: str = Field(description="The entity as this viewer may know it (a part id if some is hidden).")
    field: str = Field("", description="For a mention: the field that holds the phone, address or gun.")


class Count(BaseModel):
    record_type: str
    owner: str
    count: int


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(None, description="Pass as 'after' for the next page; null on the last.")


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, in the language of Accept-Language (en or es)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = Field(None, description="For an invalid request: what is wrong where.")
    code: str | None = Field(None, description="For a load that could not run: why, as a code.")


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of an endpoint: problem details, as ``application/problem+json``."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {"model": Problem, "content": {"application/problem+json": {"schema": schema}}}
        for status in statuses
    }
