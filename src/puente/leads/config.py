"""The lead rules and the routing to task forces, kept as data (``data/*.yaml``) so that an agency
changes where its leads go without a code change."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from puente.model import vocab


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    sources: dict[str, int]  # record type -> priority
    default_priority: int | None = None

    def priority(self, record_type: str) -> int | None:
        """The priority a source of this type gets; None when the rule does not fire on it."""
        return self.sources.get(record_type, self.default_priority)


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: dict[str, Rule]
    due_days: dict[int, int] = Field(default_factory=lambda: {1: 3, 2: 7, 3: 14})


class Route(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: str
    task_force: str = Field(min_length=1, max_length=100)
    ports: list[str] = Field(default_factory=list)
    states: list[str] = Field(default_factory=list)


class Routing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    routes: list[Route]
    defaults: dict[str, str] = Field(default_factory=dict)
    default: str = "duty desk"

    def task_force(self, agency: str, port: str | None, state: str | None) -> str:
        """Where a lead for ``agency`` about a record at ``port`` or in ``state`` goes."""
        for route in self.routes:
            if route.agency == agency and (
                (port and port in route.ports) or (state and state in route.states)
            ):
                return route.task_force
        return self.defaults.get(agency, self.default)

    def check(self) -> list[str]:
        """Codes the routing names that the vocabularies do not know (a typo routes nothing)."""
        ports, agencies = set(vocab.ports()), set(vocab.agencies())
        bad = [r.agency for r in self.routes if r.agency not in agencies]
        bad += [p for r in self.routes for p in r.ports if p not in ports]
        bad += [s for r in self.routes for s in r.states if s not in vocab.states()]
        # a BEST is named by its vocabulary code; a name that looks like one but is unknown is a typo
        bad += [r.task_force for r in self.routes
                if r.task_force.startswith("BEST") and r.task_force not in vocab.task_forces()]  # fmt: skip
        return bad + [a for a in self.defaults if a not in agencies]


def _read(name: str) -> object:
    return yaml.safe_load(
        resources.files("puente.leads").joinpath(f"data/{name}").read_text(encoding="utf-8")
    )


@cache
def rules() -> Rules:
    return Rules.model_validate(_read("rules.yaml"))


@cache
def routing() -> Routing:
    return Routing.model_validate(_read("routing.yaml"))
