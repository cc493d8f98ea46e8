"""What follows a batch of loads, whichever face ran them: the planner learns how the store grew,
new records and versions are found by search at once, watches are told of what met them, agencies
whose cases share a target are told, the hot lists follow, the lead rules fire, and the leads'
messages leave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from puente.ingest.pipeline import LoadReport, renew_statistics
from puente.store.db import Database

DELIVERY_TIMEOUT_S = 2.0  # a receiver that is down must not hold up the load; its messages wait


@dataclass(frozen=True)
class Settled:
    watch_hits: int = 0
    targets_told: int = 0
    leads: int = 0


def after_loads(db: Database, reports: Sequence[LoadReport]) -> Settled:
    """Settle the store after loads (nothing to do when nothing was stored)."""
    if not any(r.records_stored for r in reports):
        return Settled()
    from puente.deconflict.targets import deconflict_targets
    from puente.leads.generate import generate
    from puente.leads.outbox import deliver
    from puente.screen.lanes import rebuild
    from puente.search import refresh
    from puente.trace.catalog import refresh as catalogue
    from puente.watch.watches import check

    renew_statistics(db, reports)
    refresh(db)
    hits = check(db)
    catalogue(db)  # the firearms sales: a multiple sale is a risk flag at the lanes
    rebuild(db)  # the hot lists: a theft or a recovery counts at the next check
    told = deconflict_targets(db)
    new = generate(db)
    if new:
        deliver(db, timeout=DELIVERY_TIMEOUT_S)
    return Settled(hits, told, new)
