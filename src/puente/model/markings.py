"""Markings: who owns a record and who may see it. Kept with the record for life."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Disclosure(StrEnum):
    """What a viewer who may not see a record may learn of it."""

    POINTER = "pointer"  # that a holder exists, and whom to ask
    NONE = "none"  # nothing at all


class Markings(BaseModel):
    """An owner's release decision for one record.

    ``releasable_to`` holds nation codes (``MX``) and/or agency codes (``US/ATF``). The owner's own
    agency always sees its records. ``restricted_fields`` narrows single fields (an SSN, an
    informant's name) to the listed nations/agencies; an empty list means the owner agency only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    owner: str = Field(pattern=r"^[A-Z]{2}/[A-Z0-9][A-Z0-9-]*$")
    releasable_to: tuple[str, ...] = ()
    disclosure: Disclosure = Disclosure.POINTER
    originator_controlled: bool = False
    restricted_fields: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("releasable_to")
    @classmethod
    def _grantees(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for grantee in value:
            if not _is_grantee(grantee):
                raise ValueError(f"'{grantee}' is neither a nation code (MX) nor an agency code (US/ATF)")
        return tuple(sorted(set(value)))

    @field_validator("restricted_fields")
    @classmethod
    def _restricted(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for grantees in value.values():
            for grantee in grantees:
                if not _is_grantee(grantee):
                    raise ValueError(f"'{grantee}' is neither a nation code nor an agency code")
        return {k: tuple(sorted(set(v))) for k, v in sorted(value.items())}

    def grantees(self) -> list[str]:
        """Every nation and agency the marking names, for the record or for one of its fields."""
        return [*self.releasable_to, *(g for gs in self.restricted_fields.values() for g in gs)]

    @property
    def owner_nation(self) -> str:
        return self.owner.split("/", 1)[0]


def _is_grantee(code: str) -> bool:
    nation, _, agency = code.partition("/")
    return len(nation) == 2 and nation.isalpha() and nation.isupper() and (not _ or bool(agency))
