"""What the API answers with: records as the viewer may see them, pointers, entities, pages."""

from __future__ import annotations

import datetime as dt
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
    markings: dict[str, Any] | None = Field(None, description="On a single record: its markings.")
    provenance: dict[str, Any] | None = Field(
        None, description="On a single record: the file, sheet, row and load it came from, and when."
    )


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


# --- search and profiles ------------------------------------------------------------------------------


class Reason(BaseModel):
    token: str = Field(description="The word or identifier of the query this is about.")
    text: str = Field(description="How the record met it, in the language asked for.")


class SearchMatch(BaseModel):
    record_id: str
    record_type: str
    owner: str
    title: str
    day: str | None
    score: float
    reasons: list[Reason]


class SearchHit(BaseModel):
    entity_id: str | None = Field(
        description="The entity as this viewer may know it; null for a lone record."
    )
    kind: str
    title: str
    score: float
    matches: list[SearchMatch] = Field(description="The entity's records that met the query, best first.")
    holders: list[str] = Field(description="Other agencies holding records of it that you may ask for.")


class HeldElsewhere(BaseModel):
    """A record you may not see that meets the query or belongs to the entity: its holder, how to ask."""

    holder: str
    record_id: str = Field(description="Name it in an access request to its holder.")
    contact: str


class SearchAnswer(BaseModel):
    query: str
    hits: list[SearchHit]
    pointers: list[HeldElsewhere]


class LinkedRecord(BaseModel):
    record_id: str
    record_type: str
    owner: str
    title: str
    day: str | None
    relation: str
    entity_id: str | None


class TimelineEntry(BaseModel):
    day: str
    record_id: str
    record_type: str
    title: str


class EntityProfile(BaseModel):
    entity_id: str | None = Field(
        description="The entity as this viewer may know it; null for a lone record."
    )
    kind: str
    title: str
    records: list[Record]
    timeline: list[TimelineEntry]
    linked: list[LinkedRecord]
    pointers: list[HeldElsewhere]


# --- tracing --------------------------------------------------------------------------------------


class TraceRequestIn(BaseModel):
    make: str = Field(min_length=1, max_length=100)
    serial: str = Field(min_length=1, max_length=100)
    model: str = Field(default="", max_length=100)
    caliber: str = Field(default="", max_length=60)
    recovered_on: dt.date | None = None
    state: str | None = Field(default=None, max_length=10, description="Recovery state, e.g. MX-JAL")
    city: str = Field(default="", max_length=100)


class Indicator(BaseModel):
    code: str
    weight: float
    en: str
    es: str


class TraceOut(BaseModel):
    id: int
    source_id: str
    item: int
    status: str = Field(description="submitted, in_progress, completed or failed")
    reason: str | None
    requester_agency: str
    recovered_on: str | None
    recovery_state: str | None
    time_to_crime_days: int | None
    result: dict[str, Any] = Field(description="The result, the completeness checks, and why it failed")
    indicators: list[Indicator]


class TraceRunOut(BaseModel):
    submitted: int
    processed: int
    completed: int
    failed: dict[str, int]


class CandidateOut(BaseModel):
    key: str
    name: str | None
    score: float
    guns: int
    trace_ids: list[int]
    purchaser_ids: list[str]
    reasons: list[dict[str, str]]
    associates: list[str]
