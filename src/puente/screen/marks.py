"""Who may learn of a record, as the hot lists carry it: its owner, its disclosure and its audience
(the agencies its markings release it to), read in chunks for the records a derivation uses."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, select

from puente.policy.access import audience
from puente.search.links import chunks
from puente.store.schema import records


@dataclass(frozen=True)
class Marks:
    owner: str
    disclosure: str
    audience: frozenset[str]

    def seen_by(self, within: frozenset[str] | None = None) -> str:
        """The audience as a hot-list row stores it (JSON), narrowed to ``within`` when given."""
        agencies = self.audience if within is None else self.audience & within
        return orjson.dumps(sorted(agencies)).decode()


def marks(conn: Connection, ids: list[str]) -> dict[str, Marks]:
    """Record id -> its owner, disclosure and audience."""
    found = {}
    for chunk in chunks(ids):
        for r in conn.execute(select(records.c.record_id, records.c.owner, records.c.disclosure,
                                     records.c.markings).where(records.c.record_id.in_(chunk))):  # fmt: skip
            found[r.record_id] = Marks(r.owner, r.disclosure,
                                       frozenset(audience(r.owner, orjson.loads(r.markings))))  # fmt: skip
    return found
