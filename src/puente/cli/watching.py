"""``puente watch``: watch an identifier or an entity, record the hits of new data, read yours."""

from __future__ import annotations

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

watch_app = typer.Typer(help="Watch identifiers and entities; new data touching them is a hit.")


def register(app: typer.Typer) -> None:
    app.add_typer(watch_app, name="watch")


@watch_app.command("add")
def add_watch(
    value: Annotated[str, typer.Argument(help="The identifier as you have it, or an entity id")],
    as_user: AsRequired,
    purpose: PurposeOption,
    kind: Annotated[str, typer.Option(help="identifier or entity")] = "identifier",
    label: Annotated[str, typer.Option(help="What it is to you")] = "",
    case: Annotated[str | None, typer.Option(help="The case record it is kept for")] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Watch an identifier (VIN, plate, phone, serial, CURP...) or an entity."""
    from puente.watch.watches import WatchError, add

    lang_, database, viewer = acting(db, as_user, lang)
    try:
        watch_id = policy_call(lang_, lambda: add(database, viewer, purpose, kind, value, label, case))
    except WatchError as exc:
        console.print(f"[red]{exc.es if lang_ == 'es' else exc.en}[/red]")
        raise typer.Exit(2) from None
    console.print(f"Vigilancia {watch_id} activa" if lang_ == "es" else f"Watch {watch_id} is on")


@watch_app.command("check")
def check_watches(db: DbOption = None, lang: LangOption = "") -> None:
    """Record the hits of new data on every watch (after loads, the index and resolution)."""
    from puente.watch.watches import check

    found = check(open_db(db))
    console.print(f"{found} coincidencia(s) nueva(s)" if language(lang) == "es" else f"{found} new hit(s)")


@watch_app.command("hits")
def show_hits(
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:  # fmt: skip
    """The hits of your watches: records you may see, or whom to ask."""
    from puente.watch.watches import hits

    lang_ = language(lang)
    database = open_db(db)
    found = policy_call(lang_, lambda: hits(database, principal_of(database, as_user), purpose))
    if as_json:
        print(orjson.dumps([asdict(h) for h in found]).decode())
        return
    for h in found:
        where = h.record_id or (h.contact_es if lang_ == "es" else h.contact_en)
        console.print(f"{'*' if h.new else ' '} {h.label}: {h.holder} {where}")
    if not found:
        console.print("Sin coincidencias." if lang_ == "es" else "No hits.")


@watch_app.command("list")
def list_watches(
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:  # fmt: skip
    """Your watches, newest first."""
    from puente.watch.watches import mine

    lang_, database, viewer = acting(db, as_user, lang)
    found = policy_call(lang_, lambda: mine(database, viewer, purpose))
    if as_json:
        print(orjson.dumps([asdict(w) for w in found]).decode())
        return
    for w in found:
        state = ("activa" if w.active else "detenida") if lang_ == "es" else ("on" if w.active else "off")
        console.print(f"{w.id} [{state}] {w.kind} {w.value}: {w.label}")


@watch_app.command("stop")
def stop_watch(
    watch: Annotated[int, typer.Argument(help="The watch's number", min=1)], as_user: AsRequired,
    purpose: PurposeOption, db: DbOption = None, lang: LangOption = "",
) -> None:  # fmt: skip
    """Turn one of your watches off."""
    from puente.watch.watches import stop

    lang_, database, viewer = acting(db, as_user, lang)
    if not policy_call(lang_, lambda: stop(database, viewer, purpose, watch)):
        console.print(
            "[red]No existe esa vigilancia suya[/red]"
            if lang_ == "es"
            else "[red]No such watch of yours[/red]"
        )
        raise typer.Exit(2)
    console.print(f"Vigilancia {watch} detenida" if lang_ == "es" else f"Watch {watch} is off")
