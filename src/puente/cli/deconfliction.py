"""``puente operations`` and ``puente deconflict``: plan operations, read what deconfliction told
your agency, and tell agencies of the targets their cases share."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated

import orjson
import typer

from puente.cli.common import (
    AsRequired,
    DbOption,
    JsonOption,
    LangOption,
    PurposeOption,
    acting,
    console,
    language,
    open_db,
    policy_call,
    principal_of,
)

operations_app = typer.Typer(help="Planned operations: overlaps in time and place alert both agencies.")


def register(app: typer.Typer) -> None:
    app.add_typer(operations_app, name="operations")
    app.command("deconflict")(deconflict)
    app.command("alerts")(show_alerts)


def _when(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"'{text}' is not an ISO date and time, e.g. 2027-01-05T06:00-06:00"
        ) from None


@operations_app.command("plan")
def plan_operation(
    as_user: AsRequired,
    purpose: PurposeOption,
    kind: Annotated[
        str, typer.Option(help="search_warrant, controlled_delivery, surveillance, coordinated_patrol, other")
    ],
    title: Annotated[str, typer.Option(help="What it is (seen by your agency and whom you release it to).")],
    start: Annotated[str, typer.Option(help="ISO date and time with its zone, e.g. 2027-01-05T06:00-06:00")],
    end: Annotated[str, typer.Option(help="ISO date and time with its zone")],
    lat: Annotated[float, typer.Option(help="Latitude of the place")],
    lon: Annotated[float, typer.Option(help="Longitude of the place")],
    radius: Annotated[float, typer.Option(help="Metres around the place")] = 500.0,
    release: Annotated[
        list[str] | None, typer.Option(help="Nation or agency that may see the details.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Plan an operation; agencies whose operations it overlaps are told at once, and so are you."""
    from puente.deconflict.operations import OperationError, plan

    lang_, database, viewer = acting(db, as_user, lang)
    try:
        new_id, met = policy_call(lang_, lambda: plan(
            database, viewer, purpose, kind=kind, title=title, starts_at=_when(start), ends_at=_when(end),
            latitude=lat, longitude=lon, radius_m=radius, releasable_to=tuple(release or ()),
        ))  # fmt: skip
    except OperationError as exc:
        console.print(f"[red]{exc.es if lang_ == 'es' else exc.en}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        print(orjson.dumps({"operation": new_id, "overlaps": met}).decode())
        return
    if lang_ == "es":
        console.print(f"Operación {new_id} planeada; coincide con {met} operación(es) de otras dependencias")
    else:
        console.print(f"Operation {new_id} planned; it overlaps {met} operation(s) of other agencies")


@operations_app.command("cancel")
def cancel_operation(
    operation_id: int, as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, lang: LangOption = ""
) -> None:
    """Call off one of your agency's operations."""
    from puente.deconflict.operations import cancel

    lang_ = language(lang)
    database = open_db(db)
    policy_call(lang_, lambda: cancel(database, principal_of(database, as_user), purpose, operation_id))


@operations_app.command("list")
def list_operations(
    as_user: AsRequired,
    purpose: PurposeOption,
    near: Annotated[str | None, typer.Option(help="LAT,LON,METRES: only those around a place")] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Planned operations whose details you may see (JSON)."""
    from puente.deconflict.operations import visible_operations

    lang_, database, viewer = acting(db, as_user, lang)
    around = None
    if near:
        try:
            lat, lon, metres = (float(part) for part in near.split(","))
        except ValueError:
            raise typer.BadParameter("--near is LAT,LON,METRES, e.g. 27.5,-99.5,2000") from None
        around = (lat, lon, metres)
    found = policy_call(lang_, lambda: visible_operations(database, viewer, purpose, near=around))
    print(orjson.dumps([asdict(o) for o in found]).decode())


def deconflict(
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, lang: LangOption = ""
) -> None:
    """Tell agencies whose cases hold the same target (run after loads and resolution)."""
    from puente.deconflict.targets import deconflict_targets

    lang_ = language(lang)
    database = open_db(db)
    told = policy_call(lang_, lambda: deconflict_targets(database, principal_of(database, as_user), purpose))
    console.print(f"{told} aviso(s) nuevo(s)" if lang_ == "es" else f"{told} new alert(s)")


def show_alerts(
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:  # fmt: skip
    """What deconfliction told your agency: overlapping operations and shared targets, whom to call."""
    from puente.deconflict.alerts import alerts

    lang_ = language(lang)
    database = open_db(db)
    found = policy_call(lang_, lambda: alerts(database, principal_of(database, as_user), purpose))
    if as_json:
        print(orjson.dumps([asdict(a) for a in found]).decode())
        return
    for a in found:
        console.print(f"[{a.kind}] {a.es if lang_ == 'es' else a.en}")
    if not found:
        console.print("Sin avisos." if lang_ == "es" else "No alerts.")
