"""Risk flags: the trafficking indicators a lane weighs beside the hot lists' hits, derived from the
records at each refresh. Hand-written, as no library knows these rules; each is a row of the hot
lists (reason ``flag_*``) under the markings of the record it comes from, so an officer is told of
a flag only as they may be told of that record.

- ``flag_network``: the vehicle was in a seizure of firearms, ammunition or drugs.
- ``flag_cash``: the vehicle carried bulk cash when it was seized.
- ``flag_southbound``: the vehicle crossed south SOUTHBOUND_TIMES times or more within
  SOUTHBOUND_DAYS days (the pattern of a runner moving loads in small amounts).
- ``flag_multiple_sale``: the driver bought firearms in a multiple sale within MULTIPLE_SALE_DAYS
  days of the check (the list keeps every multiple-sale buyer with the day of the last such sale;
  the check weighs the flag only while it is recent). A vehicle's registered owner is in no feed,
  so the driver stands for the owner.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from sqlalchemy import Connection, select

from puente.screen.keys import plate_of, value_of, vehicle_rows
from puente.screen.marks import Marks, marks
from puente.search.links import contents
from puente.store.schema import records, trace_acquisitions

SOUTHBOUND_TIMES = 3
SOUTHBOUND_DAYS = 30
MULTIPLE_SALE_DAYS = 180
REASONS = ("flag_network", "flag_cash", "flag_southbound", "flag_multiple_sale")
TRAFFICKED = ("firearm", "ammunition", "drug")


def recent(since: str | None, today: str) -> bool:
    """Whether a multiple sale of ``since`` is within MULTIPLE_SALE_DAYS days before ``today``."""
    if not since:
        return False
    days = (dt.date.fromisoformat(today) - dt.date.fromisoformat(since[:10])).days
    return 0 <= days <= MULTIPLE_SALE_DAYS


def _money(amount: Any) -> str:
    """An amount as officers read it: 48,500 rather than the stored 4.85E+4."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _ids(conn: Connection, record_type: str) -> list[str]:
    query = select(records.c.record_id).where(records.c.record_type == record_type)
    return list(conn.execute(query).scalars())


def _vehicle_rows(record_id: str, head: Marks, reason: str, label: str, day: str | None,
                  plate: tuple[str | None, str | None], vin: str | None) -> list[tuple]:  # fmt: skip
    held = (record_id, head.owner, head.seen_by(), head.disclosure, reason, label, day, None)
    return vehicle_rows(plate[0], plate[1], vin, held)


def seizure_rows(conn: Connection) -> list[tuple]:
    """Vehicles seized with firearms, ammunition or drugs (network) or with bulk cash (cash)."""
    ids = _ids(conn, "seizure")
    heads = marks(conn, ids)
    rows: list[tuple] = []
    for record_id, c in contents(conn, ids):
        items = c.get("items") or []
        vehicles = [i for i in items if i.get("kind") == "vehicle"]
        if not vehicles:
            continue
        day = c.get("seized_on")
        what = sorted({i.get("kind") for i in items if i.get("kind") in TRAFFICKED})
        cash = [i for i in items if i.get("kind") == "cash"]
        source = c.get("source_id") or record_id.rsplit(":", 1)[-1]
        for v in vehicles:
            plate, vin = plate_of(v.get("plate")), value_of(v.get("vin"))
            if what:
                rows += _vehicle_rows(record_id, heads[record_id], "flag_network",
                                      f"{source}: {', '.join(what)}", day, plate, vin)  # fmt: skip
            if cash:
                amounts = ", ".join(f"{_money(i.get('amount'))} {(i.get('currency') or {}).get('code') or ''}"
                                    .strip() for i in cash)  # fmt: skip
                rows += _vehicle_rows(record_id, heads[record_id], "flag_cash", f"{source}: {amounts}", day,
                                      plate, vin)  # fmt: skip
    return rows


def southbound_rows(conn: Connection) -> list[tuple]:
    """Vehicles that crossed south SOUTHBOUND_TIMES times or more within SOUTHBOUND_DAYS days: one
    row per vehicle, under the markings of the last crossing of its busiest window."""
    by_vehicle: dict[tuple[str, str | None], list[tuple[str, str]]] = defaultdict(list)
    ids = _ids(conn, "crossing")
    for record_id, c in contents(conn, ids):
        day = (c.get("crossed_at") or "")[:10]
        if c.get("direction") != "southbound" or not day:
            continue
        vin = value_of(c.get("vin"))
        plate = plate_of(c.get("plate"))
        key = ("vin", vin) if vin else ("plate", plate[0]) if plate[0] else None
        if key is not None:
            by_vehicle[(key[0], f"{key[1]}|{plate[0] or ''}|{plate[1] or ''}")].append((day, record_id))
    found: dict[str, tuple[tuple[str, ...], int, str, str]] = {}
    for (kind, key), seen in by_vehicle.items():
        if len(seen) < SOUTHBOUND_TIMES:
            continue
        seen.sort()
        days = [dt.date.fromisoformat(d) for d, _ in seen]
        best, start = (0, 0, 0), 0
        for end in range(len(days)):  # the busiest window of SOUTHBOUND_DAYS days
            while (days[end] - days[start]).days >= SOUTHBOUND_DAYS:
                start += 1
            best = max(best, (end - start + 1, start, end))
        count, first, last = best
        if count >= SOUTHBOUND_TIMES:
            found[seen[last][1]] = ((kind, *key.split("|")), count, seen[first][0], seen[last][0])
    heads = marks(conn, sorted(found))
    rows: list[tuple] = []
    for record_id, ((kind, vehicle, plate, state), count, first, last) in found.items():
        label = f"{count} × {first} … {last}"
        rows += _vehicle_rows(record_id, heads[record_id], "flag_southbound", label, last,
                              (plate or None, state or None), vehicle if kind == "vin" else None)  # fmt: skip
    return rows


def multiple_sale_rows(conn: Connection, person_keys: Any) -> list[tuple]:
    """Purchasers in a multiple sale, with the day of their last, looked up as drivers
    (``person_keys(content)``: the keys a person record is looked up by)."""
    sales: dict[str, list[Any]] = defaultdict(list)  # purchaser record -> its multiple sales
    t = trace_acquisitions.c
    for r in conn.execute(
        select(t.record_id, t.purchaser_id, t.sold_on, t.dealer_name)
        .where(t.multiple_sale.is_(True), t.sold_on.is_not(None), t.purchaser_id.is_not(None))
    ):  # fmt: skip
        sales[r.purchaser_id].append(r)
    by_key: dict[str, list[Any]] = defaultdict(list)  # a buyer's records may be many: one per sale
    for purchaser, c in contents(conn, sorted(sales)):
        for key in person_keys(c):
            by_key[key] += sales[purchaser]
    last_of = {key: max(bought, key=lambda r: (r.sold_on, r.record_id)) for key, bought in by_key.items()}
    heads = marks(conn, sorted({r.record_id for bought in by_key.values() for r in bought}))
    rows: list[tuple] = []
    for key, bought in sorted(by_key.items()):
        last = last_of[key]
        count = len({r.record_id for r in bought})
        label = " ".join(x for x in (f"{count} ×", last.dealer_name, last.sold_on) if x)
        # the count speaks of every sale: told only to whom may see them all
        sold = [heads[r.record_id] for r in bought]
        seen_by = frozenset.intersection(*(m.audience for m in sold))
        disclosure = "pointer" if all(m.disclosure == "pointer" for m in sold) else "none"
        seen = orjson.dumps(sorted(seen_by)).decode()
        owner = heads[last.record_id].owner
        held = (last.record_id, owner, seen, disclosure, "flag_multiple_sale", label, last.sold_on, None)
        rows.append(("person", key, key, None, *held))
    return rows
