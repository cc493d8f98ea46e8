"""Someone else searched for this: when a search by identifier shows a record that another agency's
search showed within the window, both agencies are told whom to call (a deconfliction notice), and
neither learns what the other's query was. Only records both may see count, so the notice tells each
side nothing about a record hidden from it; searches by name alone are not kept (a common name
would join strangers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import orjson
from sqlalchemy import Connection, select

from puente.deconflict.alerts import contact, tell
from puente.policy.access import audience
from puente.policy.principals import Principal
from puente.store.repository import Repository, utcnow
from puente.store.schema import records, search_interest

WINDOW = dt.timedelta(days=90)
MAX_RECORDS = 20  # the top records of one search that count as its interest


def note(conn: Connection, principal: Principal, record_ids: Sequence[str]) -> int:
    """Keep the viewer's interest in ``record_ids`` (records their identifier search showed) and tell
    both sides of every other agency that searched one of them lately and may see it by its marking.
    Returns how many agencies were told."""
    ids = list(dict.fromkeys(record_ids))[:MAX_RECORDS]
    if not ids:
        return 0
    now = utcnow()
    earlier = conn.execute(
        select(search_interest.c.record_id, search_interest.c.agency).where(
            search_interest.c.record_id.in_(ids), search_interest.c.agency != principal.agency,
            search_interest.c.at > now - WINDOW,
        )
    ).all()  # fmt: skip
    audiences = {
        r.record_id: audience(r.owner, orjson.loads(r.markings))
        for r in conn.execute(
            select(records.c.record_id, records.c.owner, records.c.markings).where(
                records.c.record_id.in_(sorted({e.record_id for e in earlier}))
            )
        )
    }
    told = 0
    for record_id, agency in sorted(set(earlier)):
        if agency not in audiences.get(record_id, ()):
            continue
        them_en, them_es = contact(agency)
        me_en, me_es = contact(principal.agency)
        told += tell(conn, "search", principal.agency, record_id, agency, f"search:{agency}", {
            "en": f"{agency} also searched lately for a record you found ({record_id}): call {them_en}",
            "es": f"{agency} también buscó hace poco un registro que usted encontró ({record_id}): "
                  f"llame a {them_es}",
        })  # fmt: skip
        told += tell(conn, "search", agency, record_id, principal.agency, f"search:{principal.agency}", {
            "en": f"{principal.agency} searched for a record your agency also searched ({record_id}): "
                  f"call {me_en}",
            "es": f"{principal.agency} buscó un registro que su dependencia también buscó ({record_id}): "
                  f"llame a {me_es}",
        })  # fmt: skip
    Repository(conn).bulk_insert(
        search_interest, ("record_id", "agency", "user_id", "at"),
        [(r, principal.agency, principal.user_id, now) for r in ids],
    )  # fmt: skip
    return told
