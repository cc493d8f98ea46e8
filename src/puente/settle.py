"""What follows a batch of loads, whichever face ran them: the planner learns how the store grew,
new records and versions are found by search at once, and watches are told of what met them."""

from __future__ import annotations

from collections.abc import Sequence

from puente.ingest.pipeline import LoadReport, renew_statistics
from puente.store.db import Database


def after_loads(db: Database, reports: Sequence[LoadReport]) -> int:
    """Settle the store after loads; returns the watch hits they made (0 when nothing was stored)."""
    if not any(r.records_stored for r in reports):
        return 0
    from puente.search import refresh
    from puente.watch.watches import check

    renew_statistics(db, reports)
    refresh(db)
    return check(db)
