"""Principals: the people who use Puente, with their nation, agency, roles and certificates."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Connection, insert, select, update

from puente.model import vocab
from puente.store.repository import utcnow
from puente.store.schema import principals


class Role(StrEnum):
    ANALYST = "analyst"
    OFFICER = "officer"
    STEWARD = "steward"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,99}$")
    name: str = Field(min_length=1, max_length=200)
    agency: str
    roles: frozenset[Role]
    task_forces: frozenset[str] = frozenset()
    cases: frozenset[str] = frozenset()
    certificates: frozenset[str] = frozenset()
    active: bool = True

    @field_validator("agency")
    @classmethod
    def _known_agency(cls, value: str) -> str:
        if value not in vocab.agencies():
            raise ValueError(f"unknown agency '{value}'; known: {', '.join(sorted(vocab.agencies()))}")
        return value

    @field_validator("task_forces")
    @classmethod
    def _known_task_forces(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = sorted(set(value) - set(vocab.task_forces()))
        if unknown:
            raise ValueError(f"unknown task force(s): {', '.join(unknown)}")
        return value

    @property
    def nation(self) -> str:
        return self.agency.split("/", 1)[0]

    @property
    def grantees(self) -> tuple[str, str]:
        """The names a marking may release a record to that cover this person."""
        return (self.nation, self.agency)


SYSTEM = "system"  # the local operator of an installation, as recorded in the audit log


def save(conn: Connection, principal: Principal) -> None:
    values = {
        "name": principal.name, "nation": principal.nation, "agency": principal.agency,
        "roles": orjson.dumps(sorted(principal.roles)).decode(),
        "task_forces": orjson.dumps(sorted(principal.task_forces)).decode(),
        "cases": orjson.dumps(sorted(principal.cases)).decode(),
        "certificates": orjson.dumps(sorted(principal.certificates)).decode(), "active": principal.active,
    }  # fmt: skip
    exists = conn.execute(
        select(principals.c.user_id).where(principals.c.user_id == principal.user_id)
    ).first()
    if exists:
        conn.execute(update(principals).where(principals.c.user_id == principal.user_id).values(**values))
    else:
        conn.execute(insert(principals).values(user_id=principal.user_id, created_at=utcnow(), **values))


def load(conn: Connection, user_id: str) -> Principal | None:
    row = conn.execute(select(principals).where(principals.c.user_id == user_id)).mappings().first()
    return None if row is None else from_row(row)


def from_row(row: Any) -> Principal:
    """A principal from a row (a mapping) of the principals table's columns."""
    return Principal(
        user_id=row["user_id"], name=row["name"], agency=row["agency"],
        roles=frozenset(orjson.loads(row["roles"])),
        task_forces=frozenset(orjson.loads(row["task_forces"])),
        cases=frozenset(orjson.loads(row["cases"])),
        certificates=frozenset(orjson.loads(row["certificates"])),
        active=row["active"],
    )  # fmt: skip
