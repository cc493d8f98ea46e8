"""``puente screen``: check a plate, VIN or driver at the lane, or a whole file of crossings (a day
of plate reads at a port) in one run; record what was done about a hit; each rule's hit rate."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Annotated, Any

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
    policy_call,
)

FIELDS = ("plate", "state", "vin", "surname", "given", "birth", "identifier", "serial")
FILE_HELP = (
    "Plate reads to check in one run: CSV (plate,state,vin,surname,given,birth,identifier,port) or JSON lines"
)


def register(app: typer.Typer) -> None:
    app.command("screen")(screen_command)
    app.command("screen-act")(screen_act)
    app.command("screen-rates")(screen_rates)


def _rows(path: Path) -> list[dict[str, Any]]:
    """Crossings as plate reads: JSON lines or a CSV with a header (plate, state, vin ... port)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".json"):
        return [orjson.loads(line) for line in text.splitlines() if line.strip()]
    return [{k.strip().lower(): v for k, v in row.items() if k} for row in csv.DictReader(text.splitlines())]


def _query(row: dict[str, Any]) -> dict[str, str | None]:
    plate = row.get("plate")
    if isinstance(plate, dict):  # a crossing record's plate: {"text": ..., "issuer": ...}
        row = {**row, "plate": plate.get("text"), "state": row.get("state") or plate.get("issuer")}
    return {k: (str(row[k]).strip() or None) if row.get(k) not in (None, "") else None for k in FIELDS}


def _print(answer: Any, lang_: str, n: int | None = None) -> None:
    where = f"row {n}: " if n else ""
    for en, es in answer.problems:
        console.print(f"[yellow]{where}{es if lang_ == 'es' else en}[/yellow]")
    for m, hit_id in zip(answer.matches, answer.hit_ids, strict=True):
        console.print(f"{where}#{hit_id} {m.es if lang_ == 'es' else m.en}")


def _as_json(answer: Any, n: int | None = None) -> str:
    body = {"hit": answer.hit, "flagged": answer.flagged, "matches": [m.__dict__ for m in answer.matches],
            "problems": answer.problems, "hit_ids": answer.hit_ids}  # fmt: skip
    return orjson.dumps(({"row": n} if n else {}) | body).decode()


def screen_command(
    as_user: AsRequired,
    purpose: PurposeOption,
    file: Annotated[Path | None, typer.Argument(help=FILE_HELP, exists=True, dir_okay=False)] = None,
    plate: str | None = None,
    state: Annotated[str | None, typer.Option(help="The plate's state: US-TX")] = None,
    vin: str | None = None,
    surname: str | None = None,
    given: str | None = None,
    birth: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    identifier: str | None = None,
    serial: Annotated[str | None, typer.Option(help="A gun's serial number, found in the vehicle")] = None,
    port: str | None = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Check a plate, VIN or driver against both nations' hot lists, or every crossing of FILE in one
    run. Exit 0: no hit; 1: a hit."""
    from puente.screen.lanes import screen

    lang_, database, viewer = acting(db, as_user, lang)
    asked = (plate, state, vin, surname, given, birth, identifier, serial)
    rows = _rows(file) if file is not None else [dict(zip(FIELDS, asked, strict=True)) | {"port": port}]
    hits, started = 0, time.perf_counter()
    for n, row in enumerate(rows, start=1):
        where = row.get("port") or port
        answer = policy_call(lang_, lambda row=row, where=where: screen(database, viewer, purpose, port=where,
                                                                        **_query(row)))  # fmt: skip
        hits += answer.hit
        number = n if file is not None else None
        if as_json:
            print(_as_json(answer, number))
        else:
            _print(answer, lang_, number)
    seconds = time.perf_counter() - started
    if file is not None and not as_json:
        es = f"{len(rows):,} cruces revisados, {hits:,} con coincidencia, en {seconds:.2f} s"
        console.print(
            es
            if lang_ == "es"
            else f"{len(rows):,} crossings checked, {hits:,} with a hit, in {seconds:.2f} s"
        )
    elif not hits and not as_json:
        console.print("Sin coincidencia." if lang_ == "es" else "No hit.")
    raise typer.Exit(1 if hits else 0)


def screen_act(
    hit: Annotated[int, typer.Argument(help="The hit's number", min=1)],
    action: Annotated[str, typer.Argument(help="inspected, seized, released or false_hit")],
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, lang: LangOption = "",
) -> None:  # fmt: skip
    """Record what was done about a hit (the outcomes give each rule its hit rate)."""
    from puente.screen.lanes import act

    lang_, database, viewer = acting(db, as_user, lang)
    try:
        found = policy_call(lang_, lambda: act(database, viewer, purpose, hit, action))
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if not found:
        console.print("[red]No existe esa coincidencia[/red]" if lang_ == "es" else "[red]No such hit[/red]")
        raise typer.Exit(2)
    console.print(f"#{hit}: {action}")


def screen_rates(
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, lang: LangOption = "",
) -> None:  # fmt: skip
    """Each rule's hits at your agency, by action, and its false-hit rate (supervisors)."""
    from puente.screen.lanes import rates

    lang_, database, viewer = acting(db, as_user, lang)
    print(orjson.dumps(policy_call(lang_, lambda: rates(database, viewer, purpose))).decode())
